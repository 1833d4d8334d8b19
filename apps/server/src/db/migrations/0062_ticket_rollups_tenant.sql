CREATE TABLE "ticket_rollups_tenant" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"category" text NOT NULL,
	"priority" text NOT NULL,
	"received" integer DEFAULT 0 NOT NULL,
	"resolved" integer DEFAULT 0 NOT NULL,
	"resolution_minutes" bigint DEFAULT 0 NOT NULL,
	"closed" integer DEFAULT 0 NOT NULL,
	"reopened" integer DEFAULT 0 NOT NULL,
	"sla_breaches" integer DEFAULT 0 NOT NULL,
	"at_fault" integer DEFAULT 0 NOT NULL,
	"no_fault" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "ticket_rollups_tenant_tenant_id_day_category_priority_pk" PRIMARY KEY("tenant_id","day","category","priority")
);
--> statement-breakpoint
-- Custom SQL below (not generated): ticket_rollups_tenant is kept from ticket_rollups by statement-level triggers on
-- it — every insert, upsert (its INSERT and UPDATE statements each see their own rows), update and delete adds the
-- difference of its rows' measures — so the ticket listener (modules/tickets/rollups), its key moves and
-- rebuildTicketRollups (delete + insert) keep the tenant table without knowing of it.
CREATE FUNCTION ticket_rollups_tenant_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
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
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ticket_rollups_tenant_insert AFTER INSERT ON ticket_rollups
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_rollups_tenant_on_change();
--> statement-breakpoint
CREATE TRIGGER ticket_rollups_tenant_update AFTER UPDATE ON ticket_rollups
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_rollups_tenant_on_change();
--> statement-breakpoint
CREATE TRIGGER ticket_rollups_tenant_delete AFTER DELETE ON ticket_rollups
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_rollups_tenant_on_change();
--> statement-breakpoint
-- Backfill from the rollups already stored.
INSERT INTO ticket_rollups_tenant (tenant_id, day, category, priority, received, resolved, resolution_minutes, closed,
                                   reopened, sla_breaches, at_fault, no_fault)
SELECT tenant_id, day, category, priority, sum(received), sum(resolved), sum(resolution_minutes), sum(closed),
       sum(reopened), sum(sla_breaches), sum(at_fault), sum(no_fault)
FROM ticket_rollups GROUP BY 1, 2, 3, 4;
