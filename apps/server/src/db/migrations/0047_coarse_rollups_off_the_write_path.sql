CREATE TABLE "evaluation_rollup_pending" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
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
	"excluded" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
-- Custom SQL: the coarse tables of migration 0045 leave the write path. 0045's triggers upserted, in the writing
-- transaction, the shared tenant × day and unit × day rows: every two concurrent writers of a tenant waited on each
-- other there, and an open transaction that had written one evaluation (a slow import, a kiosk batch waiting on its
-- client) held every other writer of the tenant until it ended. Now the triggers add their batch's change to
-- evaluation_rollups exactly as before and append the same rows to evaluation_rollup_pending, which locks nothing;
-- evaluation_rollups_fold() adds the queue into the four coarse tables in bulk. Readers of a coarse table fold their
-- tenant first (modules/evaluations/rollups.ts), the evaluation-rollups-fold job folds every few seconds.
-- Lock order everywhere: evaluation_rollup_pending, then the coarse tables (writers touch only the first).
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
  )
  -- The coarse tables' share goes to the queue (no shared tenant × day row is locked by a writer); see
  -- evaluation_rollups_fold below.
  INSERT INTO evaluation_rollup_pending (tenant_id, day, unit_id, counter_id, staff_id, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
  SELECT * FROM delta;
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
  )
  -- The coarse tables' share goes to the queue (no shared tenant × day row is locked by a writer); see
  -- evaluation_rollups_fold below.
  INSERT INTO evaluation_rollup_pending (tenant_id, day, unit_id, counter_id, staff_id, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
  SELECT * FROM delta;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Add the queued changes (one tenant's, or all) into the coarse tables; returns the queued rows taken. A concurrent
-- fold is waited for (the advisory lock), so that after this call the tenant's coarse tables equal a GROUP BY over
-- its committed facts. Rows appended by transactions not yet committed stay queued for the next fold.
CREATE FUNCTION evaluation_rollups_fold(p_tenant uuid DEFAULT NULL) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_taken integer;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('evaluation_rollups_fold', 0));
  WITH d AS (
    DELETE FROM evaluation_rollup_pending p WHERE p_tenant IS NULL OR p.tenant_id = p_tenant
    RETURNING p.*
  ),
  c_tenant_day AS (
    INSERT INTO evaluation_rollups_tenant_day AS r (tenant_id, day, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
    SELECT d.tenant_id, d.day, d.channel, d.business_type, sum(d.total), sum(d.score_sum), sum(d.score_1), sum(d.score_2), sum(d.score_3), sum(d.score_4), sum(d.score_5), sum(d.unrated), sum(d.excluded)
      FROM d GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT evaluation_rollups_tenant_day_key_uq DO UPDATE SET
      total = r.total + excluded.total, score_sum = r.score_sum + excluded.score_sum, score_1 = r.score_1 + excluded.score_1, score_2 = r.score_2 + excluded.score_2, score_3 = r.score_3 + excluded.score_3, score_4 = r.score_4 + excluded.score_4, score_5 = r.score_5 + excluded.score_5, unrated = r.unrated + excluded.unrated, excluded = r.excluded + excluded.excluded
  ),
  c_unit_day AS (
    INSERT INTO evaluation_rollups_unit_day AS r (tenant_id, day, unit_id, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
    SELECT d.tenant_id, d.day, d.unit_id, d.channel, d.business_type, sum(d.total), sum(d.score_sum), sum(d.score_1), sum(d.score_2), sum(d.score_3), sum(d.score_4), sum(d.score_5), sum(d.unrated), sum(d.excluded)
      FROM d GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ON CONSTRAINT evaluation_rollups_unit_day_key_uq DO UPDATE SET
      total = r.total + excluded.total, score_sum = r.score_sum + excluded.score_sum, score_1 = r.score_1 + excluded.score_1, score_2 = r.score_2 + excluded.score_2, score_3 = r.score_3 + excluded.score_3, score_4 = r.score_4 + excluded.score_4, score_5 = r.score_5 + excluded.score_5, unrated = r.unrated + excluded.unrated, excluded = r.excluded + excluded.excluded
  ),
  c_unit_month AS (
    INSERT INTO evaluation_rollups_unit_month AS r (tenant_id, month, unit_id, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
    SELECT d.tenant_id, date_trunc('month', d.day::timestamp)::date, d.unit_id, d.channel, d.business_type, sum(d.total), sum(d.score_sum), sum(d.score_1), sum(d.score_2), sum(d.score_3), sum(d.score_4), sum(d.score_5), sum(d.unrated), sum(d.excluded)
      FROM d GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ON CONSTRAINT evaluation_rollups_unit_month_key_uq DO UPDATE SET
      total = r.total + excluded.total, score_sum = r.score_sum + excluded.score_sum, score_1 = r.score_1 + excluded.score_1, score_2 = r.score_2 + excluded.score_2, score_3 = r.score_3 + excluded.score_3, score_4 = r.score_4 + excluded.score_4, score_5 = r.score_5 + excluded.score_5, unrated = r.unrated + excluded.unrated, excluded = r.excluded + excluded.excluded
  ),
  c_month AS (
    INSERT INTO evaluation_rollups_month AS r (tenant_id, month, unit_id, counter_id, staff_id, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
    SELECT d.tenant_id, date_trunc('month', d.day::timestamp)::date, d.unit_id, d.counter_id, d.staff_id, d.channel, d.business_type, sum(d.total), sum(d.score_sum), sum(d.score_1), sum(d.score_2), sum(d.score_3), sum(d.score_4), sum(d.score_5), sum(d.unrated), sum(d.excluded)
      FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT ON CONSTRAINT evaluation_rollups_month_key_uq DO UPDATE SET
      total = r.total + excluded.total, score_sum = r.score_sum + excluded.score_sum, score_1 = r.score_1 + excluded.score_1, score_2 = r.score_2 + excluded.score_2, score_3 = r.score_3 + excluded.score_3, score_4 = r.score_4 + excluded.score_4, score_5 = r.score_5 + excluded.score_5, unrated = r.unrated + excluded.unrated, excluded = r.excluded + excluded.excluded
  )
  SELECT count(*)::integer INTO v_taken FROM d;
  RETURN v_taken;
END;
$$;
--> statement-breakpoint
-- The fill (0045) also empties the queue: what it held is in the fine rows the fill recomputes from.
CREATE OR REPLACE FUNCTION evaluation_coarse_rollups_fill(p_tenant uuid DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('evaluation_rollups_fold', 0));
  LOCK TABLE evaluation_rollups IN SHARE MODE;
  -- Every committed queued row is in evaluation_rollups already (same statement), and no writer is running (SHARE).
  DELETE FROM evaluation_rollup_pending WHERE p_tenant IS NULL OR tenant_id = p_tenant;
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
