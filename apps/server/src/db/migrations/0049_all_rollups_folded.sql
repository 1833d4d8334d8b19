-- Custom SQL (issue 12 speed): every evaluation rollup leaves the write path. After 0043 (hour table, its own
-- triggers) and 0045/0047 (coarse tables, queued) a batch of kiosk presses still upserted evaluation_rollups and
-- evaluation_hour_rollups in its transaction, each after its own exclusion probe and session join: kiosk ingestion fell
-- from 0.85× to 0.72× the bare route. Now the two triggers of 0039 compute the batch's change once, at the grain of
-- the hour table, and append it to evaluation_rollup_pending; evaluation_rollups_fold() adds the queue into the fine,
-- hour and coarse tables in bulk. Every reader folds its tenant first (modules/evaluations/rollups.ts,
-- hour-rollups.ts), the evaluation-rollups-fold job every 5 s. The rebuild empties the queue under its locks and
-- recomputes all of them, the hour table included.
SELECT evaluation_rollups_fold();
--> statement-breakpoint
ALTER TABLE "evaluation_rollup_pending" ADD COLUMN "hour" smallint NOT NULL;
--> statement-breakpoint
-- New evaluations: the batch's change at the grain of the hour table (which every other rollup sums) is appended to
-- the queue — the write path locks no rollup row and probes no rollup index.
CREATE OR REPLACE FUNCTION evaluation_rollups_on_evaluations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO evaluation_rollup_pending (tenant_id, day, hour, unit_id, counter_id, staff_id, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
  SELECT d.tenant_id, d.day, d.hour, d.unit_id, d.counter_id, d.staff_id, d.channel, d.business_type,
           sum(d.counted) AS total, coalesce(sum(d.counted * d.score), 0) AS score_sum,
           coalesce(sum(d.counted) FILTER (WHERE d.score = 1), 0) AS score_1, coalesce(sum(d.counted) FILTER (WHERE d.score = 2), 0) AS score_2,
           coalesce(sum(d.counted) FILTER (WHERE d.score = 3), 0) AS score_3, coalesce(sum(d.counted) FILTER (WHERE d.score = 4), 0) AS score_4,
           coalesce(sum(d.counted) FILTER (WHERE d.score = 5), 0) AS score_5, coalesce(sum(d.counted) FILTER (WHERE d.score IS NULL), 0) AS unrated,
           sum(d.excl) AS excluded
  FROM (
    SELECT x.tenant_id, (x.occurred_at AT TIME ZONE t.time_zone)::date AS day,
           extract(hour FROM x.occurred_at AT TIME ZONE t.time_zone)::smallint AS hour,
           x.unit_id, x.counter_id, x.staff_id, x.channel, s.business_type, x.score,
           CASE WHEN x.is_excluded THEN 0 ELSE 1 END AS counted,
           CASE WHEN x.is_excluded THEN 1 ELSE 0 END AS excl
    -- An evaluation is normally new to its corrections; the lateral lookup (an index probe) covers one that is not.
    FROM (SELECT n.*, coalesce(v.is_excluded, false) AS is_excluded
          FROM new_rows n
          LEFT JOIN LATERAL evaluation_exclusion_state(n.tenant_id, n.id) v ON true) x
    JOIN tenants t ON t.id = x.tenant_id
    LEFT JOIN service_sessions s ON x.ref_type = 'service_session' AND s.tenant_id = x.tenant_id AND s.id = x.ref_id
  ) d
  GROUP BY d.tenant_id, d.day, d.hour, d.unit_id, d.counter_id, d.staff_id, d.channel, d.business_type;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Exclude / restore corrections: as in 0039 (only a change of the effective state moves a rating, under the
-- evaluation's advisory lock), queued the same way.
CREATE OR REPLACE FUNCTION evaluation_rollups_on_corrections() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('evaluation:' || c.evaluation_id::text, 0))
  FROM (SELECT DISTINCT evaluation_id FROM new_rows WHERE kind IN ('exclude', 'restore') ORDER BY 1) c;
  INSERT INTO evaluation_rollup_pending (tenant_id, day, hour, unit_id, counter_id, staff_id, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
  SELECT d.tenant_id, d.day, d.hour, d.unit_id, d.counter_id, d.staff_id, d.channel, d.business_type,
           sum(d.counted) AS total, coalesce(sum(d.counted * d.score), 0) AS score_sum,
           coalesce(sum(d.counted) FILTER (WHERE d.score = 1), 0) AS score_1, coalesce(sum(d.counted) FILTER (WHERE d.score = 2), 0) AS score_2,
           coalesce(sum(d.counted) FILTER (WHERE d.score = 3), 0) AS score_3, coalesce(sum(d.counted) FILTER (WHERE d.score = 4), 0) AS score_4,
           coalesce(sum(d.counted) FILTER (WHERE d.score = 5), 0) AS score_5, coalesce(sum(d.counted) FILTER (WHERE d.score IS NULL), 0) AS unrated,
           sum(d.excl) AS excluded
  FROM (
    SELECT e.tenant_id, (e.occurred_at AT TIME ZONE t.time_zone)::date AS day,
           extract(hour FROM e.occurred_at AT TIME ZONE t.time_zone)::smallint AS hour,
           e.unit_id, e.counter_id, e.staff_id, e.channel, s.business_type, e.score,
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
  GROUP BY d.tenant_id, d.day, d.hour, d.unit_id, d.counter_id, d.staff_id, d.channel, d.business_type;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- The hour table's own triggers (0043) go: the queue feeds it.
DROP TRIGGER evaluation_hour_rollups_insert ON evaluations;
--> statement-breakpoint
DROP TRIGGER evaluation_hour_rollups_corrections ON evaluation_corrections;
--> statement-breakpoint
DROP FUNCTION evaluation_hour_rollups_on_evaluations();
--> statement-breakpoint
DROP FUNCTION evaluation_hour_rollups_on_corrections();
--> statement-breakpoint
-- The fold now feeds every evaluation rollup: the fine table, the hour table and the four coarse tables, from one
-- queue, in one statement (keys in a fixed order per table; the advisory lock serialises folds).
CREATE OR REPLACE FUNCTION evaluation_rollups_fold(p_tenant uuid DEFAULT NULL) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_taken integer;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('evaluation_rollups_fold', 0));
  WITH d AS (
    DELETE FROM evaluation_rollup_pending p WHERE p_tenant IS NULL OR p.tenant_id = p_tenant
    RETURNING p.*
  ),
  c_fine AS (
    INSERT INTO evaluation_rollups AS r (tenant_id, day, unit_id, counter_id, staff_id, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
    SELECT d.tenant_id, d.day, d.unit_id, d.counter_id, d.staff_id, d.channel, d.business_type, sum(d.total), sum(d.score_sum), sum(d.score_1), sum(d.score_2), sum(d.score_3), sum(d.score_4), sum(d.score_5), sum(d.unrated), sum(d.excluded)
      FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT ON CONSTRAINT evaluation_rollups_key_uq DO UPDATE SET
      total = r.total + excluded.total, score_sum = r.score_sum + excluded.score_sum, score_1 = r.score_1 + excluded.score_1, score_2 = r.score_2 + excluded.score_2, score_3 = r.score_3 + excluded.score_3, score_4 = r.score_4 + excluded.score_4, score_5 = r.score_5 + excluded.score_5, unrated = r.unrated + excluded.unrated, excluded = r.excluded + excluded.excluded
  ),
  c_hour AS (
    INSERT INTO evaluation_hour_rollups AS r (tenant_id, day, hour, unit_id, counter_id, staff_id, channel, business_type, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
    SELECT d.tenant_id, d.day, d.hour, d.unit_id, d.counter_id, d.staff_id, d.channel, d.business_type, sum(d.total), sum(d.score_sum), sum(d.score_1), sum(d.score_2), sum(d.score_3), sum(d.score_4), sum(d.score_5), sum(d.unrated), sum(d.excluded)
      FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT ON CONSTRAINT evaluation_hour_rollups_key_uq DO UPDATE SET
      total = r.total + excluded.total, score_sum = r.score_sum + excluded.score_sum, score_1 = r.score_1 + excluded.score_1, score_2 = r.score_2 + excluded.score_2, score_3 = r.score_3 + excluded.score_3, score_4 = r.score_4 + excluded.score_4, score_5 = r.score_5 + excluded.score_5, unrated = r.unrated + excluded.unrated, excluded = r.excluded + excluded.excluded
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
-- The fill (0045/0047) folds the queue first instead of dropping it.
CREATE OR REPLACE FUNCTION evaluation_coarse_rollups_fill(p_tenant uuid DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('evaluation_rollups_fold', 0));
  -- The fine rows no longer hold the queue: fold it first (a no-op in the rebuild, which has emptied it).
  PERFORM evaluation_rollups_fold(p_tenant);
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
-- The rebuild (0045): takes the fold's lock, empties the queue, and recomputes the hour table too.
CREATE OR REPLACE FUNCTION evaluation_rollups_rebuild(p_tenant uuid DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('evaluation_rollups_fold', 0));
  LOCK TABLE evaluations, evaluation_corrections, service_sessions, tenants IN SHARE MODE;
  -- No writer runs now (SHARE): every committed queued change is in the facts recomputed below.
  DELETE FROM evaluation_rollup_pending WHERE p_tenant IS NULL OR tenant_id = p_tenant;
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
  PERFORM evaluation_hour_rollups_rebuild(p_tenant);

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
-- The hour rebuild (0043), also run by the rebuild above: folds the queue under its locks first.
CREATE OR REPLACE FUNCTION evaluation_hour_rollups_rebuild(p_tenant uuid DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE evaluations, evaluation_corrections, service_sessions, tenants IN SHARE MODE;
  -- The queue holds hour rows too now: fold what is committed (no writer runs now) before recomputing from the facts.
  PERFORM evaluation_rollups_fold(p_tenant);
  DELETE FROM evaluation_hour_rollups WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  EXECUTE evaluation_hour_rollups_upsert($s$
    SELECT e.tenant_id, e.occurred_at, e.unit_id, e.counter_id, e.staff_id, e.channel, e.ref_type, e.ref_id, e.score,
           CASE WHEN coalesce(x.is_excluded, false) THEN 0 ELSE 1 END AS counted,
           CASE WHEN coalesce(x.is_excluded, false) THEN 1 ELSE 0 END AS excl
    FROM evaluations e
    LEFT JOIN evaluation_exclusions x ON x.tenant_id = e.tenant_id AND x.evaluation_id = e.id
    WHERE $1::uuid IS NULL OR e.tenant_id = $1$s$) USING p_tenant;
END;
$$;
