CREATE TABLE "ticket_rollups_month" (
	"tenant_id" uuid NOT NULL,
	"month" date NOT NULL,
	"unit_id" uuid NOT NULL,
	"staff_id" uuid,
	"received" integer DEFAULT 0 NOT NULL,
	"resolved" integer DEFAULT 0 NOT NULL,
	"resolution_minutes" bigint DEFAULT 0 NOT NULL,
	"closed" integer DEFAULT 0 NOT NULL,
	"reopened" integer DEFAULT 0 NOT NULL,
	"sla_breaches" integer DEFAULT 0 NOT NULL,
	"at_fault" integer DEFAULT 0 NOT NULL,
	"no_fault" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "ticket_rollups_month_key_uq" UNIQUE NULLS NOT DISTINCT("tenant_id","month","unit_id","staff_id")
);
--> statement-breakpoint
CREATE INDEX "ticket_rollups_month_unit_idx" ON "ticket_rollups_month" USING btree ("tenant_id","unit_id","month");--> statement-breakpoint
-- Custom SQL below (not generated): the trigger function of migration 0062 also keeps ticket_rollups_month (the same
-- signed rows of ticket_rollups, by local month × unit × staff), and the month table is backfilled.
CREATE OR REPLACE FUNCTION ticket_rollups_tenant_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  src text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    src := 'SELECT n.*, 1 AS sign FROM new_rows n';
  ELSIF TG_OP = 'DELETE' THEN
    src := 'SELECT o.*, -1 AS sign FROM old_rows o';
  ELSE
    src := 'SELECT n.*, 1 AS sign FROM new_rows n UNION ALL SELECT o.*, -1 FROM old_rows o';
  END IF;
  EXECUTE format($q$
    INSERT INTO ticket_rollups_tenant AS r (tenant_id, day, category, priority, received, resolved, resolution_minutes,
                                           closed, reopened, sla_breaches, at_fault, no_fault)
    SELECT d.tenant_id, d.day, d.category, d.priority, sum(d.sign * d.received), sum(d.sign * d.resolved),
           sum(d.sign * d.resolution_minutes), sum(d.sign * d.closed), sum(d.sign * d.reopened),
           sum(d.sign * d.sla_breaches), sum(d.sign * d.at_fault), sum(d.sign * d.no_fault)
    FROM (%s) d
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (tenant_id, day, category, priority) DO UPDATE SET
      received = r.received + excluded.received, resolved = r.resolved + excluded.resolved,
      resolution_minutes = r.resolution_minutes + excluded.resolution_minutes, closed = r.closed + excluded.closed,
      reopened = r.reopened + excluded.reopened, sla_breaches = r.sla_breaches + excluded.sla_breaches,
      at_fault = r.at_fault + excluded.at_fault, no_fault = r.no_fault + excluded.no_fault
  $q$, src);
  EXECUTE format($q$
    INSERT INTO ticket_rollups_month AS r (tenant_id, month, unit_id, staff_id, received, resolved, resolution_minutes,
                                          closed, reopened, sla_breaches, at_fault, no_fault)
    SELECT d.tenant_id, date_trunc('month', d.day)::date, d.unit_id, d.staff_id, sum(d.sign * d.received),
           sum(d.sign * d.resolved), sum(d.sign * d.resolution_minutes), sum(d.sign * d.closed),
           sum(d.sign * d.reopened), sum(d.sign * d.sla_breaches), sum(d.sign * d.at_fault), sum(d.sign * d.no_fault)
    FROM (%s) d
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT ticket_rollups_month_key_uq DO UPDATE SET
      received = r.received + excluded.received, resolved = r.resolved + excluded.resolved,
      resolution_minutes = r.resolution_minutes + excluded.resolution_minutes, closed = r.closed + excluded.closed,
      reopened = r.reopened + excluded.reopened, sla_breaches = r.sla_breaches + excluded.sla_breaches,
      at_fault = r.at_fault + excluded.at_fault, no_fault = r.no_fault + excluded.no_fault
  $q$, src);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Backfill from the rollups already stored.
INSERT INTO ticket_rollups_month (tenant_id, month, unit_id, staff_id, received, resolved, resolution_minutes, closed,
                                  reopened, sla_breaches, at_fault, no_fault)
SELECT tenant_id, date_trunc('month', day)::date, unit_id, staff_id, sum(received), sum(resolved),
       sum(resolution_minutes), sum(closed), sum(reopened), sum(sla_breaches), sum(at_fault), sum(no_fault)
FROM ticket_rollups GROUP BY 1, 2, 3, 4;
