CREATE TABLE "service_session_counter_outlets" (
	"tenant_id" uuid NOT NULL,
	"counter_id" uuid NOT NULL,
	"outlet_id" uuid NOT NULL,
	CONSTRAINT "service_session_counter_outlets_tenant_id_counter_id_outlet_id_pk" PRIMARY KEY("tenant_id","counter_id","outlet_id")
);
--> statement-breakpoint
CREATE TABLE "service_session_rollup_pending" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"outlet_id" uuid NOT NULL,
	"counter_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"business_type" text NOT NULL,
	"sessions" integer DEFAULT 0 NOT NULL,
	"handled" integer DEFAULT 0 NOT NULL,
	"handling_sum" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_session_rollups_month" (
	"tenant_id" uuid NOT NULL,
	"month" date NOT NULL,
	"outlet_id" uuid NOT NULL,
	"counter_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"business_type" text NOT NULL,
	"sessions" integer DEFAULT 0 NOT NULL,
	"handled" integer DEFAULT 0 NOT NULL,
	"handling_sum" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "service_session_rollups_month_tenant_id_month_outlet_id_counter_id_staff_id_business_type_pk" PRIMARY KEY("tenant_id","month","outlet_id","counter_id","staff_id","business_type")
);
--> statement-breakpoint
CREATE TABLE "service_session_rollups_outlet_day" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"outlet_id" uuid NOT NULL,
	"business_type" text NOT NULL,
	"sessions" integer DEFAULT 0 NOT NULL,
	"handled" integer DEFAULT 0 NOT NULL,
	"handling_sum" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "service_session_rollups_outlet_day_tenant_id_day_outlet_id_business_type_pk" PRIMARY KEY("tenant_id","day","outlet_id","business_type")
);
--> statement-breakpoint
CREATE TABLE "service_session_rollups_outlet_month" (
	"tenant_id" uuid NOT NULL,
	"month" date NOT NULL,
	"outlet_id" uuid NOT NULL,
	"business_type" text NOT NULL,
	"sessions" integer DEFAULT 0 NOT NULL,
	"handled" integer DEFAULT 0 NOT NULL,
	"handling_sum" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "service_session_rollups_outlet_month_tenant_id_month_outlet_id_business_type_pk" PRIMARY KEY("tenant_id","month","outlet_id","business_type")
);
--> statement-breakpoint
CREATE TABLE "service_session_rollups_tenant_day" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"business_type" text NOT NULL,
	"sessions" integer DEFAULT 0 NOT NULL,
	"handled" integer DEFAULT 0 NOT NULL,
	"handling_sum" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "service_session_rollups_tenant_day_tenant_id_day_business_type_pk" PRIMARY KEY("tenant_id","day","business_type")
);
--> statement-breakpoint
CREATE INDEX "service_session_rollups_month_staff_idx" ON "service_session_rollups_month" USING btree ("tenant_id","staff_id","month");--> statement-breakpoint
CREATE INDEX "service_session_rollups_month_counter_idx" ON "service_session_rollups_month" USING btree ("tenant_id","counter_id","month");--> statement-breakpoint
CREATE INDEX "service_session_rollups_outlet_day_outlet_idx" ON "service_session_rollups_outlet_day" USING btree ("tenant_id","outlet_id","day");--> statement-breakpoint
-- Custom SQL (issue 14): the session rollups off the write path, with a coarse read model. The two triggers of 0029
-- on service_sessions (same trigger names, their functions replaced below) append their statement's change to
-- service_session_rollup_pending instead of upserting service_session_rollups in the writing transaction;
-- service_session_rollups_fold() adds the queue into service_session_rollups, the four coarse tables and the
-- (counter, outlet) pairs. Every reader folds its tenant first (modules/counter/session-rollups.ts), the
-- evaluation-rollups-fold job every 5 s. Separate functions and a separate advisory lock from the evaluation fold.
CREATE OR REPLACE FUNCTION service_session_rollups_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO service_session_rollup_pending (tenant_id, day, outlet_id, counter_id, staff_id, business_type, sessions, handled, handling_sum)
  SELECT n.tenant_id, (n.started_at AT TIME ZONE t.time_zone)::date AS day, n.outlet_id, n.counter_id, n.staff_id, n.business_type,
         count(*), count(n.handling_seconds), coalesce(sum(n.handling_seconds), 0)
  FROM new_rows n JOIN tenants t ON t.id = n.tenant_id
  GROUP BY 1, 2, 3, 4, 5, 6;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- A session's end (handling_seconds set) or any change of its keys: −old, +new; other updates (rating_closed by the
-- kiosk timeout sweep) change no figure and queue nothing.
CREATE OR REPLACE FUNCTION service_session_rollups_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO service_session_rollup_pending (tenant_id, day, outlet_id, counter_id, staff_id, business_type, sessions, handled, handling_sum)
  SELECT x.tenant_id, (x.started_at AT TIME ZONE t.time_zone)::date AS day, x.outlet_id, x.counter_id, x.staff_id, x.business_type,
         sum(x.sign), coalesce(sum(x.sign) FILTER (WHERE x.handling_seconds IS NOT NULL), 0),
         coalesce(sum(x.sign * x.handling_seconds), 0)
  FROM (
    SELECT m.* FROM old_rows o JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
    CROSS JOIN LATERAL (VALUES (o.tenant_id, o.started_at, o.outlet_id, o.counter_id, o.staff_id, o.business_type, o.handling_seconds, -1),
                               (n.tenant_id, n.started_at, n.outlet_id, n.counter_id, n.staff_id, n.business_type, n.handling_seconds, 1))
      AS m(tenant_id, started_at, outlet_id, counter_id, staff_id, business_type, handling_seconds, sign)
    WHERE (o.started_at, o.outlet_id, o.counter_id, o.staff_id, o.business_type, o.handling_seconds)
          IS DISTINCT FROM (n.started_at, n.outlet_id, n.counter_id, n.staff_id, n.business_type, n.handling_seconds)
  ) x
  JOIN tenants t ON t.id = x.tenant_id
  GROUP BY 1, 2, 3, 4, 5, 6;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- The fold: takes the queue (one tenant's, or all) and adds it, in one statement, into the fine table, the four
-- coarse tables and the (counter, outlet) pairs; keys in a fixed order per table, the advisory lock serialises folds.
CREATE OR REPLACE FUNCTION service_session_rollups_fold(p_tenant uuid DEFAULT NULL) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_taken integer;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('service_session_rollups_fold', 0));
  WITH d AS (
    DELETE FROM service_session_rollup_pending p WHERE p_tenant IS NULL OR p.tenant_id = p_tenant
    RETURNING p.*
  ),
  c_fine AS (
    INSERT INTO service_session_rollups AS r (tenant_id, day, outlet_id, counter_id, staff_id, business_type, sessions, handled, handling_sum)
    SELECT d.tenant_id, d.day, d.outlet_id, d.counter_id, d.staff_id, d.business_type, sum(d.sessions), sum(d.handled), sum(d.handling_sum)
      FROM d GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (tenant_id, day, outlet_id, counter_id, staff_id, business_type) DO UPDATE SET
      sessions = r.sessions + excluded.sessions, handled = r.handled + excluded.handled, handling_sum = r.handling_sum + excluded.handling_sum
  ),
  c_tenant_day AS (
    INSERT INTO service_session_rollups_tenant_day AS r (tenant_id, day, business_type, sessions, handled, handling_sum)
    SELECT d.tenant_id, d.day, d.business_type, sum(d.sessions), sum(d.handled), sum(d.handling_sum)
      FROM d GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (tenant_id, day, business_type) DO UPDATE SET
      sessions = r.sessions + excluded.sessions, handled = r.handled + excluded.handled, handling_sum = r.handling_sum + excluded.handling_sum
  ),
  c_outlet_day AS (
    INSERT INTO service_session_rollups_outlet_day AS r (tenant_id, day, outlet_id, business_type, sessions, handled, handling_sum)
    SELECT d.tenant_id, d.day, d.outlet_id, d.business_type, sum(d.sessions), sum(d.handled), sum(d.handling_sum)
      FROM d GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (tenant_id, day, outlet_id, business_type) DO UPDATE SET
      sessions = r.sessions + excluded.sessions, handled = r.handled + excluded.handled, handling_sum = r.handling_sum + excluded.handling_sum
  ),
  c_outlet_month AS (
    INSERT INTO service_session_rollups_outlet_month AS r (tenant_id, month, outlet_id, business_type, sessions, handled, handling_sum)
    SELECT d.tenant_id, date_trunc('month', d.day::timestamp)::date, d.outlet_id, d.business_type, sum(d.sessions), sum(d.handled), sum(d.handling_sum)
      FROM d GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (tenant_id, month, outlet_id, business_type) DO UPDATE SET
      sessions = r.sessions + excluded.sessions, handled = r.handled + excluded.handled, handling_sum = r.handling_sum + excluded.handling_sum
  ),
  c_month AS (
    INSERT INTO service_session_rollups_month AS r (tenant_id, month, outlet_id, counter_id, staff_id, business_type, sessions, handled, handling_sum)
    SELECT d.tenant_id, date_trunc('month', d.day::timestamp)::date, d.outlet_id, d.counter_id, d.staff_id, d.business_type, sum(d.sessions), sum(d.handled), sum(d.handling_sum)
      FROM d GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (tenant_id, month, outlet_id, counter_id, staff_id, business_type) DO UPDATE SET
      sessions = r.sessions + excluded.sessions, handled = r.handled + excluded.handled, handling_sum = r.handling_sum + excluded.handling_sum
  ),
  c_pairs AS (
    INSERT INTO service_session_counter_outlets (tenant_id, counter_id, outlet_id)
    SELECT DISTINCT d.tenant_id, d.counter_id, d.outlet_id FROM d ORDER BY 1, 2, 3
    ON CONFLICT DO NOTHING
  )
  SELECT count(*)::integer INTO v_taken FROM d;
  RETURN v_taken;
END;
$$;
--> statement-breakpoint
-- Recompute every session rollup of one tenant (or all) from the facts: the fold's lock, writers held off (SHARE),
-- the queue emptied (every committed change in it is in the facts), then the fine table and the coarse ones from it.
-- evaluation_rollups_rebuild() (0049) still recomputes service_session_rollups too; rebuildEvaluationRollups runs
-- this function first in the same transaction, so both agree and the queue is empty.
CREATE OR REPLACE FUNCTION service_session_rollups_rebuild(p_tenant uuid DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('service_session_rollups_fold', 0));
  LOCK TABLE service_sessions, tenants IN SHARE MODE;
  DELETE FROM service_session_rollup_pending WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  DELETE FROM service_session_rollups WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  INSERT INTO service_session_rollups (tenant_id, day, outlet_id, counter_id, staff_id, business_type, sessions, handled, handling_sum)
  SELECT s.tenant_id, (s.started_at AT TIME ZONE t.time_zone)::date, s.outlet_id, s.counter_id, s.staff_id, s.business_type,
         count(*), count(s.handling_seconds), coalesce(sum(s.handling_seconds), 0)
  FROM service_sessions s JOIN tenants t ON t.id = s.tenant_id
  WHERE p_tenant IS NULL OR s.tenant_id = p_tenant
  GROUP BY 1, 2, 3, 4, 5, 6;
  DELETE FROM service_session_rollups_tenant_day WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  INSERT INTO service_session_rollups_tenant_day (tenant_id, day, business_type, sessions, handled, handling_sum)
  SELECT r.tenant_id, r.day, r.business_type, sum(r.sessions), sum(r.handled), sum(r.handling_sum)
    FROM service_session_rollups r WHERE p_tenant IS NULL OR r.tenant_id = p_tenant GROUP BY 1, 2, 3;
  DELETE FROM service_session_rollups_outlet_day WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  INSERT INTO service_session_rollups_outlet_day (tenant_id, day, outlet_id, business_type, sessions, handled, handling_sum)
  SELECT r.tenant_id, r.day, r.outlet_id, r.business_type, sum(r.sessions), sum(r.handled), sum(r.handling_sum)
    FROM service_session_rollups r WHERE p_tenant IS NULL OR r.tenant_id = p_tenant GROUP BY 1, 2, 3, 4;
  DELETE FROM service_session_rollups_outlet_month WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  INSERT INTO service_session_rollups_outlet_month (tenant_id, month, outlet_id, business_type, sessions, handled, handling_sum)
  SELECT r.tenant_id, date_trunc('month', r.day::timestamp)::date, r.outlet_id, r.business_type, sum(r.sessions), sum(r.handled), sum(r.handling_sum)
    FROM service_session_rollups r WHERE p_tenant IS NULL OR r.tenant_id = p_tenant GROUP BY 1, 2, 3, 4;
  DELETE FROM service_session_rollups_month WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  INSERT INTO service_session_rollups_month (tenant_id, month, outlet_id, counter_id, staff_id, business_type, sessions, handled, handling_sum)
  SELECT r.tenant_id, date_trunc('month', r.day::timestamp)::date, r.outlet_id, r.counter_id, r.staff_id, r.business_type, sum(r.sessions), sum(r.handled), sum(r.handling_sum)
    FROM service_session_rollups r WHERE p_tenant IS NULL OR r.tenant_id = p_tenant GROUP BY 1, 2, 3, 4, 5, 6;
  DELETE FROM service_session_counter_outlets WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  INSERT INTO service_session_counter_outlets (tenant_id, counter_id, outlet_id)
  SELECT DISTINCT r.tenant_id, r.counter_id, r.outlet_id
    FROM service_session_rollups r WHERE p_tenant IS NULL OR r.tenant_id = p_tenant;
END;
$$;
--> statement-breakpoint
-- Backfill the new tables from the facts.
SELECT service_session_rollups_rebuild();
