CREATE TABLE "followup_task_month_rollups" (
	"tenant_id" uuid NOT NULL,
	"month" date NOT NULL,
	"unit_id" uuid NOT NULL,
	"assignee_id" uuid,
	"tasks" integer DEFAULT 0 NOT NULL,
	"attempted" integer DEFAULT 0 NOT NULL,
	"reached" integer DEFAULT 0 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"people_attempts" integer DEFAULT 0 NOT NULL,
	"connected" integer DEFAULT 0 NOT NULL,
	"done" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"open" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "followup_task_month_rollups_key_uq" UNIQUE NULLS NOT DISTINCT("tenant_id","month","unit_id","assignee_id")
);
--> statement-breakpoint
CREATE TABLE "session_hour_month_rollups" (
	"tenant_id" uuid NOT NULL,
	"month" date NOT NULL,
	"isodow" smallint NOT NULL,
	"hour" smallint NOT NULL,
	"outlet_id" uuid NOT NULL,
	"sessions" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "session_hour_month_rollups_tenant_id_month_isodow_hour_outlet_id_pk" PRIMARY KEY("tenant_id","month","isodow","hour","outlet_id")
);
--> statement-breakpoint
CREATE TABLE "session_hour_tenant_month_rollups" (
	"tenant_id" uuid NOT NULL,
	"month" date NOT NULL,
	"isodow" smallint NOT NULL,
	"hour" smallint NOT NULL,
	"sessions" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "session_hour_tenant_month_rollups_tenant_id_month_isodow_hour_pk" PRIMARY KEY("tenant_id","month","isodow","hour")
);
--> statement-breakpoint
CREATE INDEX "followup_task_month_rollups_unit_idx" ON "followup_task_month_rollups" USING btree ("tenant_id","unit_id","month");--> statement-breakpoint
-- Custom SQL below (not generated). Month grains of two 驾驶舱 read-model tables of migration dashboard_rollups
-- (db/schema/dashboard-rollups.ts), in its pattern: ONE function per table returns the upsert over a source query of
-- signed rows (`<fact columns>, sign`), the statement-level triggers of the day tables now run it over the same
-- transition rows (CREATE OR REPLACE of their trigger functions below), and a rebuild runs it over the facts
-- (dashboard_month_rollups_rebuild, from `npm run rollups:rebuild` via rebuildDashboardRollups). At the bench's 1 M
-- tasks and 8 M sessions the day tables hold 0.8 M and 4.8 M rows, so HQ's 驾驶舱 over a year read them for 0.3 s
-- (follow-ups) and 1.8 s (the heat map); whole months now come from these, the edge days from the day tables.

-- 回访任务 by the local month its due window opens × unit × assignee; measures as followup_task_rollups_upsert.
CREATE FUNCTION followup_task_month_rollups_upsert(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
SELECT format($q$
  INSERT INTO followup_task_month_rollups AS r (tenant_id, month, unit_id, assignee_id, tasks, attempted, reached,
                                               attempts, people_attempts, connected, done, on_time, failed, open)
  SELECT d.tenant_id, date_trunc('month', d.due_from AT TIME ZONE tn.time_zone)::date, d.unit_id, d.assignee_id,
         sum(d.sign),
         coalesce(sum(d.sign) FILTER (WHERE d.attempts > 0), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.reached_attempts > 0), 0),
         coalesce(sum(d.sign * d.attempts), 0),
         coalesce(sum(d.sign * d.attempts) FILTER (WHERE NOT coalesce(d.last_outcome IN ('sent', 'send_failed'), false)), 0),
         coalesce(sum(d.sign * d.reached_attempts), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.state = 'done'), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.state = 'done' AND d.completed_at <= d.due_until), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.state = 'failed'), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.state IN ('pending', 'in_progress', 'follow_up')), 0)
  FROM (%s) d JOIN tenants tn ON tn.id = d.tenant_id
  WHERE d.state <> 'cancelled'
  GROUP BY 1, 2, 3, 4
  ORDER BY 1, 2, 3, 4
  ON CONFLICT ON CONSTRAINT followup_task_month_rollups_key_uq DO UPDATE SET
    tasks = r.tasks + excluded.tasks, attempted = r.attempted + excluded.attempted, reached = r.reached + excluded.reached,
    attempts = r.attempts + excluded.attempts, people_attempts = r.people_attempts + excluded.people_attempts,
    connected = r.connected + excluded.connected, done = r.done + excluded.done, on_time = r.on_time + excluded.on_time,
    failed = r.failed + excluded.failed, open = r.open + excluded.open
$q$, src)
$f$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION followup_task_rollups_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  src text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    src := 'SELECT n.*, 1 AS sign FROM new_rows n';
  ELSIF TG_OP = 'DELETE' THEN
    src := 'SELECT o.*, -1 AS sign FROM old_rows o';
  ELSE
    src := $s$
      SELECT m.* FROM old_rows o JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
      CROSS JOIN LATERAL (SELECT o.*, -1 AS sign UNION ALL SELECT n.*, 1) m
      WHERE (o.due_from, o.due_until, o.unit_id, o.assignee_id, o.plan_id, o.state, o.attempts, o.reached_attempts,
             o.last_outcome, o.completed_at)
            IS DISTINCT FROM (n.due_from, n.due_until, n.unit_id, n.assignee_id, n.plan_id, n.state, n.attempts,
                              n.reached_attempts, n.last_outcome, n.completed_at)$s$;
  END IF;
  EXECUTE followup_task_rollups_upsert(src);
  EXECUTE followup_task_month_rollups_upsert(src);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- 客流量 by local month × ISO weekday × local hour of the session's start, per outlet and per tenant.
CREATE FUNCTION session_hour_month_rollups_upsert(src text, p_outlet boolean) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
SELECT format($q$
  INSERT INTO %1$I AS r (tenant_id, month, isodow, hour%2$s, sessions)
  SELECT d.tenant_id, date_trunc('month', d.started_at AT TIME ZONE tn.time_zone)::date,
         extract(isodow FROM d.started_at AT TIME ZONE tn.time_zone)::smallint,
         extract(hour FROM d.started_at AT TIME ZONE tn.time_zone)::smallint%3$s, sum(d.sign)
  FROM (%4$s) d JOIN tenants tn ON tn.id = d.tenant_id
  GROUP BY %5$s
  ORDER BY %5$s
  ON CONFLICT ON CONSTRAINT %6$I DO UPDATE SET sessions = r.sessions + excluded.sessions
$q$,
  CASE WHEN p_outlet THEN 'session_hour_month_rollups' ELSE 'session_hour_tenant_month_rollups' END,
  CASE WHEN p_outlet THEN ', outlet_id' ELSE '' END,
  CASE WHEN p_outlet THEN ', d.outlet_id' ELSE '' END,
  src,
  CASE WHEN p_outlet THEN '1, 2, 3, 4, 5' ELSE '1, 2, 3, 4' END,
  CASE WHEN p_outlet THEN 'session_hour_month_rollups_tenant_id_month_isodow_hour_outlet_id_pk'
       ELSE 'session_hour_tenant_month_rollups_tenant_id_month_isodow_hour_pk' END)
$f$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION session_hour_rollups_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  src text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    src := 'SELECT n.*, 1 AS sign FROM new_rows n';
  ELSE
    src := $s$
      SELECT m.* FROM old_rows o JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
      CROSS JOIN LATERAL (SELECT o.*, -1 AS sign UNION ALL SELECT n.*, 1) m
      WHERE (o.started_at, o.outlet_id) IS DISTINCT FROM (n.started_at, n.outlet_id)$s$;
  END IF;
  EXECUTE session_hour_rollups_upsert(src);
  EXECUTE session_hour_month_rollups_upsert(src, true);
  EXECUTE session_hour_month_rollups_upsert(src, false);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Open tasks now / overdue (readOpenTasks, readOverdueTasks) read only the rows that still count open tasks.
CREATE INDEX followup_task_rollups_open_idx ON followup_task_rollups (tenant_id, due_day) INCLUDE (unit_id, assignee_id, open)
  WHERE open <> 0;
--> statement-breakpoint
-- Recompute the month tables of one tenant (or all) from the facts, writers held off meanwhile.
CREATE FUNCTION dashboard_month_rollups_rebuild(p_tenant uuid DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE followup_tasks, service_sessions, tenants IN SHARE MODE;
  DELETE FROM followup_task_month_rollups WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  EXECUTE followup_task_month_rollups_upsert('SELECT f.*, 1 AS sign FROM followup_tasks f WHERE $1::uuid IS NULL OR f.tenant_id = $1') USING p_tenant;
  DELETE FROM session_hour_month_rollups WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  EXECUTE session_hour_month_rollups_upsert('SELECT s.*, 1 AS sign FROM service_sessions s WHERE $1::uuid IS NULL OR s.tenant_id = $1', true) USING p_tenant;
  DELETE FROM session_hour_tenant_month_rollups WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  EXECUTE session_hour_month_rollups_upsert('SELECT s.*, 1 AS sign FROM service_sessions s WHERE $1::uuid IS NULL OR s.tenant_id = $1', false) USING p_tenant;
END;
$$;
--> statement-breakpoint
-- Backfill from the facts already stored.
SELECT dashboard_month_rollups_rebuild();
