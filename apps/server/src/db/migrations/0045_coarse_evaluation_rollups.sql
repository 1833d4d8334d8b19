CREATE TABLE "evaluation_rollups_month" (
	"tenant_id" uuid NOT NULL,
	"month" date NOT NULL,
	"unit_id" uuid NOT NULL,
	"counter_id" uuid,
	"staff_id" uuid,
	"channel" text NOT NULL,
	"business_type" text,
	"total" integer DEFAULT 0 NOT NULL,
	"score_sum" bigint DEFAULT 0 NOT NULL,
	"score_1" integer DEFAULT 0 NOT NULL,
	"score_2" integer DEFAULT 0 NOT NULL,
	"score_3" integer DEFAULT 0 NOT NULL,
	"score_4" integer DEFAULT 0 NOT NULL,
	"score_5" integer DEFAULT 0 NOT NULL,
	"unrated" integer DEFAULT 0 NOT NULL,
	"excluded" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "evaluation_rollups_month_key_uq" UNIQUE NULLS NOT DISTINCT("tenant_id","month","unit_id","counter_id","staff_id","channel","business_type")
);
--> statement-breakpoint
CREATE TABLE "evaluation_rollups_tenant_day" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"channel" text NOT NULL,
	"business_type" text,
	"total" integer DEFAULT 0 NOT NULL,
	"score_sum" bigint DEFAULT 0 NOT NULL,
	"score_1" integer DEFAULT 0 NOT NULL,
	"score_2" integer DEFAULT 0 NOT NULL,
	"score_3" integer DEFAULT 0 NOT NULL,
	"score_4" integer DEFAULT 0 NOT NULL,
	"score_5" integer DEFAULT 0 NOT NULL,
	"unrated" integer DEFAULT 0 NOT NULL,
	"excluded" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "evaluation_rollups_tenant_day_key_uq" UNIQUE NULLS NOT DISTINCT("tenant_id","day","channel","business_type")
);
--> statement-breakpoint
CREATE TABLE "evaluation_rollups_unit_day" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"unit_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"business_type" text,
	"total" integer DEFAULT 0 NOT NULL,
	"score_sum" bigint DEFAULT 0 NOT NULL,
	"score_1" integer DEFAULT 0 NOT NULL,
	"score_2" integer DEFAULT 0 NOT NULL,
	"score_3" integer DEFAULT 0 NOT NULL,
	"score_4" integer DEFAULT 0 NOT NULL,
	"score_5" integer DEFAULT 0 NOT NULL,
	"unrated" integer DEFAULT 0 NOT NULL,
	"excluded" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "evaluation_rollups_unit_day_key_uq" UNIQUE NULLS NOT DISTINCT("tenant_id","day","unit_id","channel","business_type")
);
--> statement-breakpoint
CREATE TABLE "evaluation_rollups_unit_month" (
	"tenant_id" uuid NOT NULL,
	"month" date NOT NULL,
	"unit_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"business_type" text,
	"total" integer DEFAULT 0 NOT NULL,
	"score_sum" bigint DEFAULT 0 NOT NULL,
	"score_1" integer DEFAULT 0 NOT NULL,
	"score_2" integer DEFAULT 0 NOT NULL,
	"score_3" integer DEFAULT 0 NOT NULL,
	"score_4" integer DEFAULT 0 NOT NULL,
	"score_5" integer DEFAULT 0 NOT NULL,
	"unrated" integer DEFAULT 0 NOT NULL,
	"excluded" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "evaluation_rollups_unit_month_key_uq" UNIQUE NULLS NOT DISTINCT("tenant_id","month","unit_id","channel","business_type")
);
--> statement-breakpoint
CREATE INDEX "evaluation_rollups_month_staff_idx" ON "evaluation_rollups_month" USING btree ("tenant_id","staff_id","month");--> statement-breakpoint
CREATE INDEX "evaluation_rollups_month_unit_idx" ON "evaluation_rollups_month" USING btree ("tenant_id","unit_id","month");--> statement-breakpoint
CREATE INDEX "evaluation_rollups_unit_day_unit_idx" ON "evaluation_rollups_unit_day" USING btree ("tenant_id","unit_id","day");--> statement-breakpoint
-- Custom SQL (issue 14): the coarse read model of evaluation figures, kept in the writing transaction by the same
-- trigger path as evaluation_rollups. Each of 0039's two trigger functions now computes its batch's change of the
-- fine rollup rows once (the CTE `delta`, the same rows and sums as before) and adds it, in one statement, to
-- evaluation_rollups and to the four coarse tables at their grains (tenant × day; unit × day; unit × month; every
-- key × month). One statement, with every table's keys in a fixed order, keeps the lock order of two concurrent
-- batches the same (no deadlock on the hot tenant × day rows). The delta and the fine upsert are unchanged: only
-- the coarse upserts are new. Exclusions/restores (corrections trigger) and late offline kiosk presses (insert
-- trigger, counted on the local day they occurred) move the coarse rows exactly as they move the fine ones.
CREATE OR REPLACE FUNCTION evaluation_rollups_on_evaluations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH delta AS MATERIALIZED (
    SELECT d.tenant_id, d.day, d.unit_id, d.counter_id, d.staff_id, d.channel, d.business_type,
           sum(d.counted) AS total, coalesce(sum(d.counted * d.score), 0) AS score_sum,
           coalesce(sum(d.counted) FILTER (WHERE d.score = 1), 0) AS score_1, coalesce(sum(d.counted) FILTER (WHERE d.score = 2), 0) AS score_2,
           coalesce(sum(d.counted) FILTER (WHERE d.score = 3), 0) AS score_3, coalesce(sum(d.counted) FILTER (WHERE d.score = 4), 0) AS score_4,
           coalesce(sum(d.counted) FILTER (WHERE d.score = 5), 0) AS score_5, coalesce(sum(d.counted) FILTER (WHERE d.score IS NULL), 0) AS unrated,
           sum(d.excl) AS excluded
    FROM (
      SELECT x.tenant_id, (x.occurred_at AT TIME ZONE t.time_zone)::date AS day, x.unit_id, x.counter_id, x.staff_id,
             x.channel, s.business_type, x.score,
             CASE WHEN x.is_excluded THEN 0 ELSE 1 END AS counted,
             CASE WHEN x.is_excluded THEN 1 ELSE 0 END AS excl
      -- An evaluation is normally new to its corrections; the lateral lookup (an index probe) covers one that is not.
      FROM (SELECT n.*, coalesce(v.is_excluded, false) AS is_excluded
            FROM new_rows n
            LEFT JOIN LATERAL evaluation_exclusion_state(n.tenant_id, n.id) v ON true) x
      JOIN tenants t ON t.id = x.tenant_id
      LEFT JOIN service_sessions s ON x.ref_type = 'service_session' AND s.tenant_id = x.tenant_id AND s.id = x.ref_id
    ) d
    GROUP BY d.tenant_id, d.day, d.unit_id, d.counter_id, d.staff_id, d.channel, d.business_type
  ),
  fine AS (
    -- A fixed order of keys in every table, so that two batches touching the same keys lock them in the same order.
    INSERT INTO evaluation_rollups AS r (tenant_id, day, unit_id, counter_id, staff_id, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
    SELECT * FROM delta ORDER BY tenant_id, day, unit_id, counter_id, staff_id, channel, business_type
    ON CONFLICT ON CONSTRAINT evaluation_rollups_key_uq DO UPDATE SET
      total = r.total + excluded.total, score_sum = r.score_sum + excluded.score_sum, score_1 = r.score_1 + excluded.score_1, score_2 = r.score_2 + excluded.score_2, score_3 = r.score_3 + excluded.score_3, score_4 = r.score_4 + excluded.score_4, score_5 = r.score_5 + excluded.score_5, unrated = r.unrated + excluded.unrated, excluded = r.excluded + excluded.excluded
  ),
  c_tenant_day AS (
    INSERT INTO evaluation_rollups_tenant_day AS r (tenant_id, day, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
    SELECT delta.tenant_id, delta.day, delta.channel, delta.business_type, sum(delta.total), sum(delta.score_sum), sum(delta.score_1), sum(delta.score_2), sum(delta.score_3), sum(delta.score_4), sum(delta.score_5), sum(delta.unrated), sum(delta.excluded)
      FROM delta GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT evaluation_rollups_tenant_day_key_uq DO UPDATE SET
      total = r.total + excluded.total, score_sum = r.score_sum + excluded.score_sum, score_1 = r.score_1 + excluded.score_1, score_2 = r.score_2 + excluded.score_2, score_3 = r.score_3 + excluded.score_3, score_4 = r.score_4 + excluded.score_4, score_5 = r.score_5 + excluded.score_5, unrated = r.unrated + excluded.unrated, excluded = r.excluded + excluded.excluded
  ),
  c_unit_day AS (
    INSERT INTO evaluation_rollups_unit_day AS r (tenant_id, day, unit_id, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
    SELECT delta.tenant_id, delta.day, delta.unit_id, delta.channel, delta.business_type, sum(delta.total), sum(delta.score_sum), sum(delta.score_1), sum(delta.score_2), sum(delta.score_3), sum(delta.score_4), sum(delta.score_5), sum(delta.unrated), sum(delta.excluded)
      FROM delta GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ON CONSTRAINT evaluation_rollups_unit_day_key_uq DO UPDATE SET
      total = r.total + excluded.total, score_sum = r.score_sum + excluded.score_sum, score_1 = r.score_1 + excluded.score_1, score_2 = r.score_2 + excluded.score_2, score_3 = r.score_3 + excluded.score_3, score_4 = r.score_4 + excluded.score_4, score_5 = r.score_5 + excluded.score_5, unrated = r.unrated + excluded.unrated, excluded = r.excluded + excluded.excluded
  ),
  c_unit_month AS (
    INSERT INTO evaluation_rollups_unit_month AS r (tenant_id, month, unit_id, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
    SELECT delta.tenant_id, date_trunc('month', delta.day::timestamp)::date, delta.unit_id, delta.channel, delta.business_type, sum(delta.total), sum(delta.score_sum), sum(delta.score_1), sum(delta.score_2), sum(delta.score_3), sum(delta.score_4), sum(delta.score_5), sum(delta.unrated), sum(delta.excluded)
      FROM delta GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ON CONSTRAINT evaluation_rollups_unit_month_key_uq DO UPDATE SET
      total = r.total + excluded.total, score_sum = r.score_sum + excluded.score_sum, score_1 = r.score_1 + excluded.score_1, score_2 = r.score_2 + excluded.score_2, score_3 = r.score_3 + excluded.score_3, score_4 = r.score_4 + excluded.score_4, score_5 = r.score_5 + excluded.score_5, unrated = r.unrated + excluded.unrated, excluded = r.excluded + excluded.excluded
  )
  INSERT INTO evaluation_rollups_month AS r (tenant_id, month, unit_id, counter_id, staff_id, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
  SELECT delta.tenant_id, date_trunc('month', delta.day::timestamp)::date, delta.unit_id, delta.counter_id, delta.staff_id, delta.channel, delta.business_type, sum(delta.total), sum(delta.score_sum), sum(delta.score_1), sum(delta.score_2), sum(delta.score_3), sum(delta.score_4), sum(delta.score_5), sum(delta.unrated), sum(delta.excluded)
    FROM delta GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT ON CONSTRAINT evaluation_rollups_month_key_uq DO UPDATE SET
    total = r.total + excluded.total, score_sum = r.score_sum + excluded.score_sum, score_1 = r.score_1 + excluded.score_1, score_2 = r.score_2 + excluded.score_2, score_3 = r.score_3 + excluded.score_3, score_4 = r.score_4 + excluded.score_4, score_5 = r.score_5 + excluded.score_5, unrated = r.unrated + excluded.unrated, excluded = r.excluded + excluded.excluded;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION evaluation_rollups_on_corrections() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('evaluation:' || c.evaluation_id::text, 0))
  FROM (SELECT DISTINCT evaluation_id FROM new_rows WHERE kind IN ('exclude', 'restore') ORDER BY 1) c;
  WITH delta AS MATERIALIZED (
    SELECT d.tenant_id, d.day, d.unit_id, d.counter_id, d.staff_id, d.channel, d.business_type,
           sum(d.counted) AS total, coalesce(sum(d.counted * d.score), 0) AS score_sum,
           coalesce(sum(d.counted) FILTER (WHERE d.score = 1), 0) AS score_1, coalesce(sum(d.counted) FILTER (WHERE d.score = 2), 0) AS score_2,
           coalesce(sum(d.counted) FILTER (WHERE d.score = 3), 0) AS score_3, coalesce(sum(d.counted) FILTER (WHERE d.score = 4), 0) AS score_4,
           coalesce(sum(d.counted) FILTER (WHERE d.score = 5), 0) AS score_5, coalesce(sum(d.counted) FILTER (WHERE d.score IS NULL), 0) AS unrated,
           sum(d.excl) AS excluded
    FROM (
      SELECT e.tenant_id, (e.occurred_at AT TIME ZONE t.time_zone)::date AS day, e.unit_id, e.counter_id, e.staff_id,
             e.channel, s.business_type, e.score,
             CASE WHEN ch.is_excluded THEN -1 ELSE 1 END AS counted,
             CASE WHEN ch.is_excluded THEN 1 ELSE -1 END AS excl
      FROM (
        SELECT c.tenant_id, c.evaluation_id, coalesce(now_x.is_excluded, false) AS is_excluded,
               coalesce(was_x.is_excluded, false) AS was_excluded
        FROM (SELECT n.tenant_id, n.evaluation_id, array_agg(n.id) AS ids FROM new_rows n
               WHERE n.kind IN ('exclude', 'restore') GROUP BY n.tenant_id, n.evaluation_id) c
        LEFT JOIN LATERAL evaluation_exclusion_state(c.tenant_id, c.evaluation_id) now_x ON true
        LEFT JOIN LATERAL evaluation_exclusion_state(c.tenant_id, c.evaluation_id, c.ids) was_x ON true
      ) ch
      JOIN evaluations e ON e.tenant_id = ch.tenant_id AND e.id = ch.evaluation_id
      JOIN tenants t ON t.id = e.tenant_id
      LEFT JOIN service_sessions s ON e.ref_type = 'service_session' AND s.tenant_id = e.tenant_id AND s.id = e.ref_id
      WHERE ch.is_excluded <> ch.was_excluded
    ) d
    GROUP BY d.tenant_id, d.day, d.unit_id, d.counter_id, d.staff_id, d.channel, d.business_type
  ),
  fine AS (
    -- A fixed order of keys in every table, so that two batches touching the same keys lock them in the same order.
    INSERT INTO evaluation_rollups AS r (tenant_id, day, unit_id, counter_id, staff_id, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
    SELECT * FROM delta ORDER BY tenant_id, day, unit_id, counter_id, staff_id, channel, business_type
    ON CONFLICT ON CONSTRAINT evaluation_rollups_key_uq DO UPDATE SET
      total = r.total + excluded.total, score_sum = r.score_sum + excluded.score_sum, score_1 = r.score_1 + excluded.score_1, score_2 = r.score_2 + excluded.score_2, score_3 = r.score_3 + excluded.score_3, score_4 = r.score_4 + excluded.score_4, score_5 = r.score_5 + excluded.score_5, unrated = r.unrated + excluded.unrated, excluded = r.excluded + excluded.excluded
  ),
  c_tenant_day AS (
    INSERT INTO evaluation_rollups_tenant_day AS r (tenant_id, day, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
    SELECT delta.tenant_id, delta.day, delta.channel, delta.business_type, sum(delta.total), sum(delta.score_sum), sum(delta.score_1), sum(delta.score_2), sum(delta.score_3), sum(delta.score_4), sum(delta.score_5), sum(delta.unrated), sum(delta.excluded)
      FROM delta GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT evaluation_rollups_tenant_day_key_uq DO UPDATE SET
      total = r.total + excluded.total, score_sum = r.score_sum + excluded.score_sum, score_1 = r.score_1 + excluded.score_1, score_2 = r.score_2 + excluded.score_2, score_3 = r.score_3 + excluded.score_3, score_4 = r.score_4 + excluded.score_4, score_5 = r.score_5 + excluded.score_5, unrated = r.unrated + excluded.unrated, excluded = r.excluded + excluded.excluded
  ),
  c_unit_day AS (
    INSERT INTO evaluation_rollups_unit_day AS r (tenant_id, day, unit_id, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
    SELECT delta.tenant_id, delta.day, delta.unit_id, delta.channel, delta.business_type, sum(delta.total), sum(delta.score_sum), sum(delta.score_1), sum(delta.score_2), sum(delta.score_3), sum(delta.score_4), sum(delta.score_5), sum(delta.unrated), sum(delta.excluded)
      FROM delta GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ON CONSTRAINT evaluation_rollups_unit_day_key_uq DO UPDATE SET
      total = r.total + excluded.total, score_sum = r.score_sum + excluded.score_sum, score_1 = r.score_1 + excluded.score_1, score_2 = r.score_2 + excluded.score_2, score_3 = r.score_3 + excluded.score_3, score_4 = r.score_4 + excluded.score_4, score_5 = r.score_5 + excluded.score_5, unrated = r.unrated + excluded.unrated, excluded = r.excluded + excluded.excluded
  ),
  c_unit_month AS (
    INSERT INTO evaluation_rollups_unit_month AS r (tenant_id, month, unit_id, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
    SELECT delta.tenant_id, date_trunc('month', delta.day::timestamp)::date, delta.unit_id, delta.channel, delta.business_type, sum(delta.total), sum(delta.score_sum), sum(delta.score_1), sum(delta.score_2), sum(delta.score_3), sum(delta.score_4), sum(delta.score_5), sum(delta.unrated), sum(delta.excluded)
      FROM delta GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ON CONSTRAINT evaluation_rollups_unit_month_key_uq DO UPDATE SET
      total = r.total + excluded.total, score_sum = r.score_sum + excluded.score_sum, score_1 = r.score_1 + excluded.score_1, score_2 = r.score_2 + excluded.score_2, score_3 = r.score_3 + excluded.score_3, score_4 = r.score_4 + excluded.score_4, score_5 = r.score_5 + excluded.score_5, unrated = r.unrated + excluded.unrated, excluded = r.excluded + excluded.excluded
  )
  INSERT INTO evaluation_rollups_month AS r (tenant_id, month, unit_id, counter_id, staff_id, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
  SELECT delta.tenant_id, date_trunc('month', delta.day::timestamp)::date, delta.unit_id, delta.counter_id, delta.staff_id, delta.channel, delta.business_type, sum(delta.total), sum(delta.score_sum), sum(delta.score_1), sum(delta.score_2), sum(delta.score_3), sum(delta.score_4), sum(delta.score_5), sum(delta.unrated), sum(delta.excluded)
    FROM delta GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT ON CONSTRAINT evaluation_rollups_month_key_uq DO UPDATE SET
    total = r.total + excluded.total, score_sum = r.score_sum + excluded.score_sum, score_1 = r.score_1 + excluded.score_1, score_2 = r.score_2 + excluded.score_2, score_3 = r.score_3 + excluded.score_3, score_4 = r.score_4 + excluded.score_4, score_5 = r.score_5 + excluded.score_5, unrated = r.unrated + excluded.unrated, excluded = r.excluded + excluded.excluded;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- The coarse tables recomputed from evaluation_rollups (one source of truth): called by the rebuild after it has
-- recomputed the fine rows from the facts, and below as the backfill.
-- The SHARE lock waits for writers still running the old triggers to commit and holds new ones until the fill's
-- transaction commits (the rebuild holds it already: it has just written evaluation_rollups).
CREATE FUNCTION evaluation_coarse_rollups_fill(p_tenant uuid DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE evaluation_rollups IN SHARE MODE;
  DELETE FROM evaluation_rollups_tenant_day WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  INSERT INTO evaluation_rollups_tenant_day (tenant_id, day, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
  SELECT r0.tenant_id, r0.day, r0.channel, r0.business_type, sum(r0.total), sum(r0.score_sum), sum(r0.score_1), sum(r0.score_2), sum(r0.score_3), sum(r0.score_4), sum(r0.score_5), sum(r0.unrated), sum(r0.excluded)
    FROM evaluation_rollups r0 WHERE p_tenant IS NULL OR r0.tenant_id = p_tenant GROUP BY 1, 2, 3, 4;
  DELETE FROM evaluation_rollups_unit_day WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  INSERT INTO evaluation_rollups_unit_day (tenant_id, day, unit_id, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
  SELECT r0.tenant_id, r0.day, r0.unit_id, r0.channel, r0.business_type, sum(r0.total), sum(r0.score_sum), sum(r0.score_1), sum(r0.score_2), sum(r0.score_3), sum(r0.score_4), sum(r0.score_5), sum(r0.unrated), sum(r0.excluded)
    FROM evaluation_rollups r0 WHERE p_tenant IS NULL OR r0.tenant_id = p_tenant GROUP BY 1, 2, 3, 4, 5;
  DELETE FROM evaluation_rollups_unit_month WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  INSERT INTO evaluation_rollups_unit_month (tenant_id, month, unit_id, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
  SELECT r0.tenant_id, date_trunc('month', r0.day::timestamp)::date, r0.unit_id, r0.channel, r0.business_type, sum(r0.total), sum(r0.score_sum), sum(r0.score_1), sum(r0.score_2), sum(r0.score_3), sum(r0.score_4), sum(r0.score_5), sum(r0.unrated), sum(r0.excluded)
    FROM evaluation_rollups r0 WHERE p_tenant IS NULL OR r0.tenant_id = p_tenant GROUP BY 1, 2, 3, 4, 5;
  DELETE FROM evaluation_rollups_month WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  INSERT INTO evaluation_rollups_month (tenant_id, month, unit_id, counter_id, staff_id, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
  SELECT r0.tenant_id, date_trunc('month', r0.day::timestamp)::date, r0.unit_id, r0.counter_id, r0.staff_id, r0.channel, r0.business_type, sum(r0.total), sum(r0.score_sum), sum(r0.score_1), sum(r0.score_2), sum(r0.score_3), sum(r0.score_4), sum(r0.score_5), sum(r0.unrated), sum(r0.excluded)
    FROM evaluation_rollups r0 WHERE p_tenant IS NULL OR r0.tenant_id = p_tenant GROUP BY 1, 2, 3, 4, 5, 6, 7;
END;
$$;
--> statement-breakpoint
-- 0029's rebuild, unchanged but for the coarse tables recomputed at the end (under the same locks).
CREATE OR REPLACE FUNCTION evaluation_rollups_rebuild(p_tenant uuid DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE evaluations, evaluation_corrections, service_sessions, tenants IN SHARE MODE;
  DELETE FROM evaluation_rollups WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  INSERT INTO evaluation_rollups (tenant_id, day, unit_id, counter_id, staff_id, channel, business_type,
                                  total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
  SELECT d.tenant_id, d.day, d.unit_id, d.counter_id, d.staff_id, d.channel, d.business_type,
         sum(d.counted), coalesce(sum(d.counted * d.score), 0),
           coalesce(sum(d.counted) FILTER (WHERE d.score = 1), 0), coalesce(sum(d.counted) FILTER (WHERE d.score = 2), 0),
           coalesce(sum(d.counted) FILTER (WHERE d.score = 3), 0), coalesce(sum(d.counted) FILTER (WHERE d.score = 4), 0),
           coalesce(sum(d.counted) FILTER (WHERE d.score = 5), 0), coalesce(sum(d.counted) FILTER (WHERE d.score IS NULL), 0),
           sum(d.excl)
  FROM (
    SELECT e.tenant_id, (e.occurred_at AT TIME ZONE t.time_zone)::date AS day, e.unit_id, e.counter_id, e.staff_id,
           e.channel, s.business_type, e.score,
           CASE WHEN coalesce(x.is_excluded, false) THEN 0 ELSE 1 END AS counted,
           CASE WHEN coalesce(x.is_excluded, false) THEN 1 ELSE 0 END AS excl
    FROM evaluations e
    JOIN tenants t ON t.id = e.tenant_id
    LEFT JOIN service_sessions s ON e.ref_type = 'service_session' AND s.tenant_id = e.tenant_id AND s.id = e.ref_id
    LEFT JOIN evaluation_exclusions x ON x.tenant_id = e.tenant_id AND x.evaluation_id = e.id
    WHERE p_tenant IS NULL OR e.tenant_id = p_tenant
  ) d
  GROUP BY d.tenant_id, d.day, d.unit_id, d.counter_id, d.staff_id, d.channel, d.business_type;
  PERFORM evaluation_coarse_rollups_fill(p_tenant);

  DELETE FROM service_session_rollups WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  INSERT INTO service_session_rollups (tenant_id, day, outlet_id, counter_id, staff_id, business_type, sessions, handled, handling_sum)
  SELECT s.tenant_id, (s.started_at AT TIME ZONE t.time_zone)::date, s.outlet_id, s.counter_id, s.staff_id, s.business_type,
         count(*), count(s.handling_seconds), coalesce(sum(s.handling_seconds), 0)
  FROM service_sessions s JOIN tenants t ON t.id = s.tenant_id
  WHERE p_tenant IS NULL OR s.tenant_id = p_tenant
  GROUP BY 1, 2, 3, 4, 5, 6;
END;
$$;
--> statement-breakpoint
-- Backfill from the fine rollups already stored (kept by the old triggers until this migration).
SELECT evaluation_coarse_rollups_fill();
