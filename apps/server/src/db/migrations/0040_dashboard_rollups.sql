CREATE TABLE "churn_warning_counts" (
	"tenant_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"open" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "churn_warning_counts_tenant_id_unit_id_reason_pk" PRIMARY KEY("tenant_id","unit_id","reason")
);
--> statement-breakpoint
CREATE TABLE "customer_value_rollups" (
	"tenant_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"tier" text,
	"lifecycle" text NOT NULL,
	"customers" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "customer_value_rollups_key_uq" UNIQUE NULLS NOT DISTINCT("tenant_id","run_id","unit_id","tier","lifecycle")
);
--> statement-breakpoint
CREATE TABLE "evaluation_appeal_rollups" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"unit_id" uuid NOT NULL,
	"staff_id" uuid,
	"filed" integer DEFAULT 0 NOT NULL,
	"decided" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "evaluation_appeal_rollups_key_uq" UNIQUE NULLS NOT DISTINCT("tenant_id","day","unit_id","staff_id")
);
--> statement-breakpoint
CREATE TABLE "followup_task_rollups" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"due_day" date NOT NULL,
	"unit_id" uuid NOT NULL,
	"assignee_id" uuid,
	"plan_id" uuid NOT NULL,
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
	CONSTRAINT "followup_task_rollups_key_uq" UNIQUE NULLS NOT DISTINCT("tenant_id","day","due_day","unit_id","assignee_id","plan_id")
);
--> statement-breakpoint
CREATE TABLE "session_hour_rollups" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"hour" smallint NOT NULL,
	"outlet_id" uuid NOT NULL,
	"sessions" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "session_hour_rollups_tenant_id_day_hour_outlet_id_pk" PRIMARY KEY("tenant_id","day","hour","outlet_id")
);
--> statement-breakpoint
CREATE TABLE "ticket_status_counts" (
	"tenant_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"staff_id" uuid,
	"status" text NOT NULL,
	"tickets" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "ticket_status_counts_key_uq" UNIQUE NULLS NOT DISTINCT("tenant_id","unit_id","staff_id","status")
);
--> statement-breakpoint
-- Custom SQL below (not generated): the triggers that keep the 驾驶舱 read model (db/schema/dashboard-rollups.ts) in
-- the transaction of every write of its facts, and the rebuild that recomputes it from the facts.
--
-- Each table but the appeals has ONE definition of its aggregate, a function returning the upsert statement over a source query of
-- signed rows (`<fact row columns>, sign`: +1 counted, −1 no longer counted). The statement-level triggers run it over
-- their transition tables (EXECUTE sees them), the rebuild over the fact table, so triggers and rebuild cannot drift
-- (the property test modules/dashboard/read-model.property.test.ts checks them against a GROUP BY over the facts).
-- Local days and hours are in the tenant's time zone (tenants.time_zone; after a change run `npm run rollups:rebuild`).
-- Keys are upserted in a fixed order so that two batches lock shared rows in the same order (no deadlock).

-- 回访任务 by the day its due window opens and the day it closes; measures as the KPIs (followup/figures/kpis.ts).
CREATE FUNCTION followup_task_rollups_upsert(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
SELECT format($q$
  INSERT INTO followup_task_rollups AS r (tenant_id, day, due_day, unit_id, assignee_id, plan_id, tasks, attempted,
                                         reached, attempts, people_attempts, connected, done, on_time, failed, open)
  SELECT d.tenant_id, (d.due_from AT TIME ZONE tn.time_zone)::date, (d.due_until AT TIME ZONE tn.time_zone)::date,
         d.unit_id, d.assignee_id, d.plan_id,
         sum(d.sign),
         coalesce(sum(d.sign) FILTER (WHERE d.attempts > 0), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.reached_attempts > 0), 0),
         coalesce(sum(d.sign * d.attempts), 0),
         -- A task the system worked (SMS / e-mail: last outcome sent / send_failed) has no people's attempts.
         coalesce(sum(d.sign * d.attempts) FILTER (WHERE NOT coalesce(d.last_outcome IN ('sent', 'send_failed'), false)), 0),
         coalesce(sum(d.sign * d.reached_attempts), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.state = 'done'), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.state = 'done' AND d.completed_at <= d.due_until), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.state = 'failed'), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.state IN ('pending', 'in_progress', 'follow_up')), 0)
  FROM (%s) d JOIN tenants tn ON tn.id = d.tenant_id
  WHERE d.state <> 'cancelled'
  GROUP BY 1, 2, 3, 4, 5, 6
  ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT ON CONSTRAINT followup_task_rollups_key_uq DO UPDATE SET
    tasks = r.tasks + excluded.tasks, attempted = r.attempted + excluded.attempted, reached = r.reached + excluded.reached,
    attempts = r.attempts + excluded.attempts, people_attempts = r.people_attempts + excluded.people_attempts,
    connected = r.connected + excluded.connected, done = r.done + excluded.done, on_time = r.on_time + excluded.on_time,
    failed = r.failed + excluded.failed, open = r.open + excluded.open
$q$, src)
$f$;
--> statement-breakpoint
-- Updates of a task that change none of its keys or measures (claims, reminders' next_attempt_at…) move nothing.
CREATE FUNCTION followup_task_rollups_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE followup_task_rollups_upsert('SELECT n.*, 1 AS sign FROM new_rows n');
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE followup_task_rollups_upsert('SELECT o.*, -1 AS sign FROM old_rows o');
  ELSE
    EXECUTE followup_task_rollups_upsert($s$
      SELECT m.* FROM old_rows o JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
      CROSS JOIN LATERAL (SELECT o.*, -1 AS sign UNION ALL SELECT n.*, 1) m
      WHERE (o.due_from, o.due_until, o.unit_id, o.assignee_id, o.plan_id, o.state, o.attempts, o.reached_attempts,
             o.last_outcome, o.completed_at)
            IS DISTINCT FROM (n.due_from, n.due_until, n.unit_id, n.assignee_id, n.plan_id, n.state, n.attempts,
                              n.reached_attempts, n.last_outcome, n.completed_at)$s$);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER followup_task_rollups_insert AFTER INSERT ON followup_tasks
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION followup_task_rollups_on_change();
--> statement-breakpoint
CREATE TRIGGER followup_task_rollups_update AFTER UPDATE ON followup_tasks
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION followup_task_rollups_on_change();
--> statement-breakpoint
CREATE TRIGGER followup_task_rollups_delete AFTER DELETE ON followup_tasks
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION followup_task_rollups_on_change();
--> statement-breakpoint
-- 客流量 by local day and hour of the session's start (sessions are never deleted; their start and outlet never change
-- in practice, but an update that did would be moved like any other).
CREATE FUNCTION session_hour_rollups_upsert(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
SELECT format($q$
  INSERT INTO session_hour_rollups AS r (tenant_id, day, hour, outlet_id, sessions)
  SELECT d.tenant_id, (d.started_at AT TIME ZONE tn.time_zone)::date,
         extract(hour FROM d.started_at AT TIME ZONE tn.time_zone)::smallint, d.outlet_id, sum(d.sign)
  FROM (%s) d JOIN tenants tn ON tn.id = d.tenant_id
  GROUP BY 1, 2, 3, 4
  ORDER BY 1, 2, 3, 4
  ON CONFLICT (tenant_id, day, hour, outlet_id) DO UPDATE SET sessions = r.sessions + excluded.sessions
$q$, src)
$f$;
--> statement-breakpoint
CREATE FUNCTION session_hour_rollups_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE session_hour_rollups_upsert('SELECT n.*, 1 AS sign FROM new_rows n');
  ELSE
    EXECUTE session_hour_rollups_upsert($s$
      SELECT m.* FROM old_rows o JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
      CROSS JOIN LATERAL (SELECT o.*, -1 AS sign UNION ALL SELECT n.*, 1) m
      WHERE (o.started_at, o.outlet_id) IS DISTINCT FROM (n.started_at, n.outlet_id)$s$);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER session_hour_rollups_insert AFTER INSERT ON service_sessions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION session_hour_rollups_on_change();
--> statement-breakpoint
CREATE TRIGGER session_hour_rollups_update AFTER UPDATE ON service_sessions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION session_hour_rollups_on_change();
--> statement-breakpoint
-- Tickets per current unit, staff and status (the SLA job's frequent updates change none of them and move nothing).
CREATE FUNCTION ticket_status_counts_upsert(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
SELECT format($q$
  INSERT INTO ticket_status_counts AS r (tenant_id, unit_id, staff_id, status, tickets)
  SELECT d.tenant_id, d.unit_id, d.staff_id, d.status, sum(d.sign)
  FROM (%s) d
  GROUP BY 1, 2, 3, 4
  ORDER BY 1, 2, 3, 4
  ON CONFLICT ON CONSTRAINT ticket_status_counts_key_uq DO UPDATE SET tickets = r.tickets + excluded.tickets
$q$, src)
$f$;
--> statement-breakpoint
CREATE FUNCTION ticket_status_counts_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE ticket_status_counts_upsert('SELECT n.*, 1 AS sign FROM new_rows n');
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE ticket_status_counts_upsert('SELECT o.*, -1 AS sign FROM old_rows o');
  ELSE
    EXECUTE ticket_status_counts_upsert($s$
      SELECT m.* FROM old_rows o JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
      CROSS JOIN LATERAL (SELECT o.*, -1 AS sign UNION ALL SELECT n.*, 1) m
      WHERE (o.unit_id, o.staff_id, o.status) IS DISTINCT FROM (n.unit_id, n.staff_id, n.status)$s$);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ticket_status_counts_insert AFTER INSERT ON tickets
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_status_counts_on_change();
--> statement-breakpoint
CREATE TRIGGER ticket_status_counts_update AFTER UPDATE ON tickets
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_status_counts_on_change();
--> statement-breakpoint
CREATE TRIGGER ticket_status_counts_delete AFTER DELETE ON tickets
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ticket_status_counts_on_change();
--> statement-breakpoint
-- Customers of a value run per the customer's unit, tier and lifecycle tier (a run writes its rows once; a customer
-- erased before the run's rows are written is not in the join, as in every read of customer_values).
CREATE FUNCTION customer_value_rollups_upsert(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
SELECT format($q$
  INSERT INTO customer_value_rollups AS r (tenant_id, run_id, unit_id, tier, lifecycle, customers)
  SELECT d.tenant_id, d.run_id, c.unit_id, d.tier, d.lifecycle, sum(d.sign)
  FROM (%s) d JOIN customers c ON c.tenant_id = d.tenant_id AND c.id = d.customer_id
  GROUP BY 1, 2, 3, 4, 5
  ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ON CONSTRAINT customer_value_rollups_key_uq DO UPDATE SET customers = r.customers + excluded.customers
$q$, src)
$f$;
--> statement-breakpoint
CREATE FUNCTION customer_value_rollups_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE customer_value_rollups_upsert('SELECT n.*, 1 AS sign FROM new_rows n');
  ELSE
    EXECUTE customer_value_rollups_upsert('SELECT o.*, -1 AS sign FROM old_rows o');
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER customer_value_rollups_insert AFTER INSERT ON customer_values
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_value_rollups_on_change();
--> statement-breakpoint
CREATE TRIGGER customer_value_rollups_delete AFTER DELETE ON customer_values
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_value_rollups_on_change();
--> statement-breakpoint
-- Open churn warnings (resolved_at null) per the customer's unit and reason; a run opens and resolves them.
CREATE FUNCTION churn_warning_counts_upsert(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
SELECT format($q$
  INSERT INTO churn_warning_counts AS r (tenant_id, unit_id, reason, open)
  SELECT d.tenant_id, c.unit_id, d.reason, sum(d.sign)
  FROM (%s) d JOIN customers c ON c.tenant_id = d.tenant_id AND c.id = d.customer_id
  WHERE d.resolved_at IS NULL
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT (tenant_id, unit_id, reason) DO UPDATE SET open = r.open + excluded.open
$q$, src)
$f$;
--> statement-breakpoint
CREATE FUNCTION churn_warning_counts_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE churn_warning_counts_upsert('SELECT n.*, 1 AS sign FROM new_rows n');
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE churn_warning_counts_upsert('SELECT o.*, -1 AS sign FROM old_rows o');
  ELSE
    EXECUTE churn_warning_counts_upsert($s$
      SELECT m.* FROM old_rows o JOIN new_rows n ON n.id = o.id
      CROSS JOIN LATERAL (SELECT o.*, -1 AS sign UNION ALL SELECT n.*, 1) m
      WHERE (o.customer_id, o.reason, o.resolved_at) IS DISTINCT FROM (n.customer_id, n.reason, n.resolved_at)$s$);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER churn_warning_counts_insert AFTER INSERT ON value_churn_warnings
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION churn_warning_counts_on_change();
--> statement-breakpoint
CREATE TRIGGER churn_warning_counts_update AFTER UPDATE ON value_churn_warnings
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION churn_warning_counts_on_change();
--> statement-breakpoint
CREATE TRIGGER churn_warning_counts_delete AFTER DELETE ON value_churn_warnings
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION churn_warning_counts_on_change();
--> statement-breakpoint
-- Appeals 申诉 of ratings: filed on the day of the appeal, decided on the day of the first decision (any correction
-- that is not an appeal) after it — the rule of the evaluation list's appeal state ("open until a decision row
-- follows it"). Serialised per evaluation with the advisory lock correctEvaluation() takes (re-entrant here), so a
-- batch sees the decisions before it. An appeal still undecided before this batch is decided by the batch's first
-- decision after it.
CREATE FUNCTION evaluation_appeal_rollups_on_corrections() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('evaluation:' || c.evaluation_id::text, 0))
  FROM (SELECT DISTINCT evaluation_id FROM new_rows ORDER BY 1) c;
  INSERT INTO evaluation_appeal_rollups AS r (tenant_id, day, unit_id, staff_id, filed, decided)
  SELECT x.tenant_id, (x.at AT TIME ZONE tn.time_zone)::date, e.unit_id, e.staff_id, sum(x.filed), sum(x.decided)
  FROM (
    SELECT n.tenant_id, n.evaluation_id, n.at, 1 AS filed, 0 AS decided FROM new_rows n WHERE n.kind = 'appeal'
    UNION ALL
    SELECT a.tenant_id, a.evaluation_id, d.at, 0, 1
    FROM evaluation_corrections a
    JOIN (SELECT DISTINCT tenant_id, evaluation_id FROM new_rows WHERE kind <> 'appeal') ev
      ON ev.tenant_id = a.tenant_id AND ev.evaluation_id = a.evaluation_id
    CROSS JOIN LATERAL (SELECT n.at FROM new_rows n
                        WHERE n.tenant_id = a.tenant_id AND n.evaluation_id = a.evaluation_id AND n.kind <> 'appeal'
                          AND n.id > a.id
                        ORDER BY n.id LIMIT 1) d
    WHERE a.kind = 'appeal'
      AND NOT EXISTS (SELECT 1 FROM evaluation_corrections o
                      WHERE o.tenant_id = a.tenant_id AND o.evaluation_id = a.evaluation_id AND o.kind <> 'appeal'
                        AND o.id > a.id
                        AND NOT EXISTS (SELECT 1 FROM new_rows n2 WHERE n2.tenant_id = o.tenant_id AND n2.id = o.id))
  ) x
  JOIN evaluations e ON e.tenant_id = x.tenant_id AND e.id = x.evaluation_id
  JOIN tenants tn ON tn.id = x.tenant_id
  GROUP BY 1, 2, 3, 4
  ORDER BY 1, 2, 3, 4
  ON CONFLICT ON CONSTRAINT evaluation_appeal_rollups_key_uq DO UPDATE SET
    filed = r.filed + excluded.filed, decided = r.decided + excluded.decided;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER evaluation_appeal_rollups_corrections AFTER INSERT ON evaluation_corrections
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION evaluation_appeal_rollups_on_corrections();
--> statement-breakpoint
-- Recompute the read model of one tenant (or all) from the facts, writers held off meanwhile (SHARE locks wait for
-- open writing transactions and block new ones until the rebuild commits). Used by this migration (backfill) and by
-- `npm run rollups:rebuild`.
CREATE FUNCTION dashboard_rollups_rebuild(p_tenant uuid DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE followup_tasks, service_sessions, tickets, customer_values, value_churn_warnings, customers,
             evaluations, evaluation_corrections, tenants IN SHARE MODE;
  DELETE FROM followup_task_rollups WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  EXECUTE followup_task_rollups_upsert('SELECT f.*, 1 AS sign FROM followup_tasks f WHERE $1::uuid IS NULL OR f.tenant_id = $1') USING p_tenant;
  DELETE FROM session_hour_rollups WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  EXECUTE session_hour_rollups_upsert('SELECT s.*, 1 AS sign FROM service_sessions s WHERE $1::uuid IS NULL OR s.tenant_id = $1') USING p_tenant;
  DELETE FROM ticket_status_counts WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  EXECUTE ticket_status_counts_upsert('SELECT k.*, 1 AS sign FROM tickets k WHERE $1::uuid IS NULL OR k.tenant_id = $1') USING p_tenant;
  DELETE FROM customer_value_rollups WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  EXECUTE customer_value_rollups_upsert('SELECT v.*, 1 AS sign FROM customer_values v WHERE $1::uuid IS NULL OR v.tenant_id = $1') USING p_tenant;
  DELETE FROM churn_warning_counts WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  EXECUTE churn_warning_counts_upsert('SELECT w.*, 1 AS sign FROM value_churn_warnings w WHERE $1::uuid IS NULL OR w.tenant_id = $1') USING p_tenant;
  DELETE FROM evaluation_appeal_rollups WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  INSERT INTO evaluation_appeal_rollups (tenant_id, day, unit_id, staff_id, filed, decided)
  SELECT x.tenant_id, (x.at AT TIME ZONE tn.time_zone)::date, e.unit_id, e.staff_id, sum(x.filed), sum(x.decided)
  FROM (
    SELECT a.tenant_id, a.evaluation_id, a.at, 1 AS filed, 0 AS decided FROM evaluation_corrections a
    WHERE a.kind = 'appeal' AND (p_tenant IS NULL OR a.tenant_id = p_tenant)
    UNION ALL
    SELECT a.tenant_id, a.evaluation_id, d.at, 0, 1 FROM evaluation_corrections a
    CROSS JOIN LATERAL (SELECT d.at FROM evaluation_corrections d
                        WHERE d.tenant_id = a.tenant_id AND d.evaluation_id = a.evaluation_id AND d.kind <> 'appeal'
                          AND d.id > a.id
                        ORDER BY d.id LIMIT 1) d
    WHERE a.kind = 'appeal' AND (p_tenant IS NULL OR a.tenant_id = p_tenant)
  ) x
  JOIN evaluations e ON e.tenant_id = x.tenant_id AND e.id = x.evaluation_id
  JOIN tenants tn ON tn.id = x.tenant_id
  GROUP BY 1, 2, 3, 4;
END;
$$;
--> statement-breakpoint
-- Backfill from the facts already stored.
SELECT dashboard_rollups_rebuild();
