CREATE TABLE "followup_done_month_rollups" (
	"tenant_id" uuid NOT NULL,
	"month" date NOT NULL,
	"unit_id" uuid NOT NULL,
	"assignee_id" uuid,
	"done" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "followup_done_month_rollups_key_uq" UNIQUE NULLS NOT DISTINCT("tenant_id","month","unit_id","assignee_id")
);
--> statement-breakpoint
CREATE TABLE "followup_done_rollups" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"unit_id" uuid NOT NULL,
	"assignee_id" uuid,
	"done" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "followup_done_rollups_key_uq" UNIQUE NULLS NOT DISTINCT("tenant_id","day","unit_id","assignee_id")
);
--> statement-breakpoint
CREATE INDEX "followup_done_month_rollups_unit_idx" ON "followup_done_month_rollups" USING btree ("tenant_id","unit_id","month");--> statement-breakpoint
CREATE INDEX "followup_done_month_rollups_assignee_idx" ON "followup_done_month_rollups" USING btree ("tenant_id","assignee_id","month");--> statement-breakpoint
CREATE INDEX "followup_done_rollups_unit_idx" ON "followup_done_rollups" USING btree ("tenant_id","unit_id","day");--> statement-breakpoint
CREATE INDEX "followup_done_rollups_assignee_idx" ON "followup_done_rollups" USING btree ("tenant_id","assignee_id","day");--> statement-breakpoint
-- Custom SQL below (not generated): the triggers that keep the completion-day read model of follow-up tasks
-- (db/schema/followup-done-rollups.ts) in the transaction of every write of followup_tasks, and its rebuild, in the
-- pattern of followup_task_rollups (migration dashboard_rollups): ONE function returns the upsert statement over a
-- source query of signed rows (`<followup_tasks columns>, sign`: +1 counted, −1 no longer counted), for the day table
-- or the month table; the statement-level triggers run it over their transition tables, the rebuild over
-- followup_tasks, so they cannot drift (modules/dashboard/read-model.property.test.ts checks both tables against a
-- GROUP BY over the facts). Local days and months are in the tenant's time zone (tenants.time_zone; after a change
-- run `npm run rollups:rebuild`). Keys are upserted in a fixed order (day table, then month table, each by key) so
-- that two writers lock shared rows in the same order.

-- Done tasks (state done, completed_at set) by the local day — or month (`p_month`, its first day) — of completed_at,
-- under the task's unit and assignee; on_time: completed_at <= due_until (as followup_task_rollups.on_time).
CREATE FUNCTION followup_done_rollups_upsert(src text, p_month boolean) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
SELECT format($q$
  INSERT INTO %1$I AS r (tenant_id, %2$I, unit_id, assignee_id, done, on_time)
  SELECT d.tenant_id, %3$s, d.unit_id, d.assignee_id,
         sum(d.sign), coalesce(sum(d.sign) FILTER (WHERE d.completed_at <= d.due_until), 0)
  FROM (%4$s) d JOIN tenants tn ON tn.id = d.tenant_id
  WHERE d.state = 'done' AND d.completed_at IS NOT NULL
  GROUP BY 1, 2, 3, 4
  ORDER BY 1, 2, 3, 4
  ON CONFLICT ON CONSTRAINT %5$I DO UPDATE SET done = r.done + excluded.done, on_time = r.on_time + excluded.on_time
$q$,
  CASE WHEN p_month THEN 'followup_done_month_rollups' ELSE 'followup_done_rollups' END,
  CASE WHEN p_month THEN 'month' ELSE 'day' END,
  CASE WHEN p_month THEN 'date_trunc(''month'', d.completed_at AT TIME ZONE tn.time_zone)::date'
       ELSE '(d.completed_at AT TIME ZONE tn.time_zone)::date' END,
  src,
  CASE WHEN p_month THEN 'followup_done_month_rollups_key_uq' ELSE 'followup_done_rollups_key_uq' END)
$f$;
--> statement-breakpoint
-- Only rows done before or after a statement count; an update that changes none of state, completed_at, unit,
-- assignee or due_until (claims, attempts, reminders' next_attempt_at…) moves nothing. A statement that touches no
-- done task (task generation, attempts and claims of open tasks: most writes) returns before building any upsert.
CREATE FUNCTION followup_done_rollups_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  src text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NOT EXISTS (SELECT 1 FROM new_rows WHERE state = 'done') THEN RETURN NULL; END IF;
    src := $s$SELECT n.*, 1 AS sign FROM new_rows n WHERE n.state = 'done'$s$;
  ELSIF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT 1 FROM old_rows WHERE state = 'done') THEN RETURN NULL; END IF;
    src := $s$SELECT o.*, -1 AS sign FROM old_rows o WHERE o.state = 'done'$s$;
  ELSE
    IF NOT EXISTS (SELECT 1 FROM old_rows WHERE state = 'done') AND NOT EXISTS (SELECT 1 FROM new_rows WHERE state = 'done') THEN
      RETURN NULL;
    END IF;
    src := $s$
      SELECT m.* FROM old_rows o JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
      CROSS JOIN LATERAL (SELECT o.*, -1 AS sign UNION ALL SELECT n.*, 1) m
      WHERE (o.state = 'done' OR n.state = 'done')
        AND (o.state, o.completed_at, o.unit_id, o.assignee_id, o.due_until)
            IS DISTINCT FROM (n.state, n.completed_at, n.unit_id, n.assignee_id, n.due_until)$s$;
  END IF;
  EXECUTE followup_done_rollups_upsert(src, false);
  EXECUTE followup_done_rollups_upsert(src, true);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER followup_done_rollups_insert AFTER INSERT ON followup_tasks
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION followup_done_rollups_on_change();
--> statement-breakpoint
CREATE TRIGGER followup_done_rollups_update AFTER UPDATE ON followup_tasks
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION followup_done_rollups_on_change();
--> statement-breakpoint
CREATE TRIGGER followup_done_rollups_delete AFTER DELETE ON followup_tasks
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION followup_done_rollups_on_change();
--> statement-breakpoint
-- Recompute both tables of one tenant (or all) from followup_tasks, writers of tasks held off meanwhile (SHARE locks).
-- Used by this migration (backfill) and by `npm run rollups:rebuild` (modules/followup/figures/staff-done.ts
-- rebuildFollowupDoneRollups).
CREATE FUNCTION followup_done_rollups_rebuild(p_tenant uuid DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE followup_tasks, tenants IN SHARE MODE;
  DELETE FROM followup_done_rollups WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  DELETE FROM followup_done_month_rollups WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  EXECUTE followup_done_rollups_upsert(
    $s$SELECT f.*, 1 AS sign FROM followup_tasks f WHERE f.state = 'done' AND ($1::uuid IS NULL OR f.tenant_id = $1)$s$,
    false) USING p_tenant;
  EXECUTE followup_done_rollups_upsert(
    $s$SELECT f.*, 1 AS sign FROM followup_tasks f WHERE f.state = 'done' AND ($1::uuid IS NULL OR f.tenant_id = $1)$s$,
    true) USING p_tenant;
END;
$$;
--> statement-breakpoint
-- Backfill from the tasks already stored.
SELECT followup_done_rollups_rebuild();
