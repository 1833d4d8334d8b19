CREATE TABLE "evaluation_rollup_early" (
	"tenant_id" uuid NOT NULL,
	"evaluation_id" uuid NOT NULL,
	"correction_id" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluation_rollup_new" (
	"tenant_id" uuid NOT NULL,
	"ids" uuid[] NOT NULL
);
--> statement-breakpoint
CREATE INDEX "evaluation_rollup_early_evaluation_idx" ON "evaluation_rollup_early" USING btree ("tenant_id","evaluation_id");
--> statement-breakpoint
-- Custom SQL (issue 12: the rollups' cost to the write path). The insert trigger on evaluations no longer computes each
-- batch's change (exclusion probe, session join, local day and hour, grouping) and appends it to
-- evaluation_rollup_pending: it appends the ids it wrote to evaluation_rollup_new, one row per statement and tenant,
-- and evaluation_rollups_fold() expands them in the statement that takes the pending queue (one snapshot for both).
-- An evaluation starts as its exclude/restore corrections written before it left it: the corrections trigger, which
-- queues a delta for an evaluation it sees, now remembers one it cannot see in evaluation_rollup_early.
CREATE OR REPLACE FUNCTION evaluation_rollups_on_evaluations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO evaluation_rollup_new (tenant_id, ids) SELECT n.tenant_id, array_agg(n.id) FROM new_rows n GROUP BY 1;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION evaluation_rollups_on_corrections() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('evaluation:' || c.evaluation_id::text, 0))
  FROM (SELECT DISTINCT evaluation_id FROM new_rows WHERE kind IN ('exclude', 'restore') ORDER BY 1) c;
  -- A correction of an evaluation this writer cannot see yet moves no rollup now (its keys are unknown): remembered,
  -- so that the fold's expansion of that evaluation starts from it.
  INSERT INTO evaluation_rollup_early (tenant_id, evaluation_id, correction_id)
  SELECT n.tenant_id, n.evaluation_id, n.id FROM new_rows n
   WHERE n.kind IN ('exclude', 'restore')
     AND NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.tenant_id = n.tenant_id AND e.id = n.evaluation_id);
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
CREATE OR REPLACE FUNCTION evaluation_rollups_fold(p_tenant uuid DEFAULT NULL) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_taken integer;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('evaluation_rollups_fold', 0));
  -- One statement, one snapshot: a correction's delta is never taken before the new evaluation it corrects (whose
  -- writer committed before the correction's writer could see it, or the correction is an early one, below).
  WITH q_new AS (
    DELETE FROM evaluation_rollup_new q WHERE p_tenant IS NULL OR q.tenant_id = p_tenant
    RETURNING q.tenant_id, q.ids
  ),
  k AS (SELECT DISTINCT n.tenant_id, x.id FROM q_new n CROSS JOIN LATERAL unnest(n.ids) x(id)),
  q_early AS (
    DELETE FROM evaluation_rollup_early x USING k WHERE x.tenant_id = k.tenant_id AND x.evaluation_id = k.id
  ),
  q_pending AS (
    DELETE FROM evaluation_rollup_pending p WHERE p_tenant IS NULL OR p.tenant_id = p_tenant
    RETURNING p.tenant_id, p.day, p.hour, p.unit_id, p.counter_id, p.staff_id, p.channel, p.business_type, p.total,
              p.score_sum, p.score_1, p.score_2, p.score_3, p.score_4, p.score_5, p.unrated, p.excluded
  ),
  d AS (
    SELECT * FROM q_pending
    UNION ALL
    -- The new evaluations at the grain of the hour table, keyed as the insert trigger keyed them before (the tenant's
    -- local day and hour, the session's business type), each excluded only by corrections written before it.
    SELECT z.tenant_id, z.day, z.hour, z.unit_id, z.counter_id, z.staff_id, z.channel, z.business_type,
           sum(z.counted), coalesce(sum(z.counted * z.score), 0),
           coalesce(sum(z.counted) FILTER (WHERE z.score = 1), 0), coalesce(sum(z.counted) FILTER (WHERE z.score = 2), 0),
           coalesce(sum(z.counted) FILTER (WHERE z.score = 3), 0), coalesce(sum(z.counted) FILTER (WHERE z.score = 4), 0),
           coalesce(sum(z.counted) FILTER (WHERE z.score = 5), 0), coalesce(sum(z.counted) FILTER (WHERE z.score IS NULL), 0),
           sum(1 - z.counted)
    FROM (
      SELECT e.tenant_id, (e.occurred_at AT TIME ZONE t.time_zone)::date AS day,
             extract(hour FROM e.occurred_at AT TIME ZONE t.time_zone)::smallint AS hour,
             e.unit_id, e.counter_id, e.staff_id, e.channel, s.business_type, e.score,
             CASE WHEN x.is_excluded THEN 0 ELSE 1 END AS counted
      FROM k
      JOIN evaluations e ON e.tenant_id = k.tenant_id AND e.id = k.id
      JOIN tenants t ON t.id = e.tenant_id
      LEFT JOIN service_sessions s ON e.ref_type = 'service_session' AND s.tenant_id = e.tenant_id AND s.id = e.ref_id
      CROSS JOIN LATERAL (
        SELECT coalesce((SELECT c.kind = 'exclude' FROM evaluation_rollup_early r
                           JOIN evaluation_corrections c ON c.tenant_id = r.tenant_id AND c.id = r.correction_id
                          WHERE r.tenant_id = e.tenant_id AND r.evaluation_id = e.id
                          ORDER BY c.id DESC LIMIT 1), false) AS is_excluded
      ) x
    ) z
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
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
CREATE OR REPLACE FUNCTION evaluation_rollups_rebuild(p_tenant uuid DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('evaluation_rollups_fold', 0));
  LOCK TABLE evaluations, evaluation_corrections, service_sessions, tenants IN SHARE MODE;
  -- No writer runs now (SHARE): every committed queued change is in the facts recomputed below.
  DELETE FROM evaluation_rollup_pending WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  DELETE FROM evaluation_rollup_new WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  -- Early corrections of evaluations that exist are in the facts recomputed below; the others wait for theirs.
  DELETE FROM evaluation_rollup_early x WHERE (p_tenant IS NULL OR x.tenant_id = p_tenant)
     AND EXISTS (SELECT 1 FROM evaluations e WHERE e.tenant_id = x.tenant_id AND e.id = x.evaluation_id);
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
