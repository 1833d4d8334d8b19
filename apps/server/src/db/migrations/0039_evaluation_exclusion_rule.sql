-- Custom SQL (issue 12), no generated statements: two weak points of the evaluation store's triggers.
--
-- 1. The rule "the latest exclude/restore correction (by id) decides whether an evaluation counts" was written out
--    six times (the view evaluation_exclusions, evaluation_is_excluded, survey_rollups_is_excluded, and inline in the
--    triggers of 0029 and 0035). It is now one function, evaluation_exclusion_state, and everything else calls it.
--    It is a set-returning SQL function (no row, or one row with is_excluded) so that the planner inlines it where it
--    is called in FROM (LATERAL): the same index probe as the subqueries it replaces, where a scalar SQL function
--    with a subquery is never inlined (0028: ten times the cost of the probe). p_ignore: correction ids to leave out
--    — the correction triggers ask for the state before their own new rows.
CREATE FUNCTION evaluation_exclusion_state(p_tenant uuid, p_evaluation uuid, p_ignore bigint[] DEFAULT '{}')
RETURNS TABLE (is_excluded boolean) LANGUAGE sql STABLE AS $$
  SELECT c.kind = 'exclude' FROM evaluation_corrections c
   WHERE c.tenant_id = p_tenant AND c.evaluation_id = p_evaluation AND c.kind IN ('exclude', 'restore')
     AND c.id <> ALL (p_ignore)
   ORDER BY c.id DESC LIMIT 1
$$;
--> statement-breakpoint
-- The set form for reads and the rebuild: every evaluation with an exclude/restore correction and its state.
CREATE OR REPLACE VIEW evaluation_exclusions AS
  SELECT k.tenant_id, k.evaluation_id, s.is_excluded
    FROM (SELECT DISTINCT c.tenant_id, c.evaluation_id FROM evaluation_corrections c
           WHERE c.kind IN ('exclude', 'restore')) k
    CROSS JOIN LATERAL evaluation_exclusion_state(k.tenant_id, k.evaluation_id) s;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION evaluation_is_excluded(p_tenant uuid, p_evaluation uuid) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN coalesce((SELECT s.is_excluded FROM evaluation_exclusion_state(p_tenant, p_evaluation) s), false);
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION survey_rollups_is_excluded(p_tenant uuid, p_evaluation uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT s.is_excluded FROM evaluation_exclusion_state(p_tenant, p_evaluation) s), false)
$$;
--> statement-breakpoint
-- 0029's insert trigger, the lateral lookup now through the function (the rest unchanged).
CREATE OR REPLACE FUNCTION evaluation_rollups_on_evaluations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO evaluation_rollups AS r (tenant_id, day, unit_id, counter_id, staff_id, channel, business_type,
                                      total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
  SELECT d.tenant_id, d.day, d.unit_id, d.counter_id, d.staff_id, d.channel, d.business_type,
         sum(d.counted), coalesce(sum(d.counted * d.score), 0),
         coalesce(sum(d.counted) FILTER (WHERE d.score = 1), 0), coalesce(sum(d.counted) FILTER (WHERE d.score = 2), 0),
         coalesce(sum(d.counted) FILTER (WHERE d.score = 3), 0), coalesce(sum(d.counted) FILTER (WHERE d.score = 4), 0),
         coalesce(sum(d.counted) FILTER (WHERE d.score = 5), 0), coalesce(sum(d.counted) FILTER (WHERE d.score IS NULL), 0),
         sum(d.excl)
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
  -- A fixed order of keys, so that two batches touching the same keys lock them in the same order (no deadlock).
  ORDER BY d.tenant_id, d.day, d.unit_id, d.counter_id, d.staff_id, d.channel, d.business_type
  ON CONFLICT ON CONSTRAINT evaluation_rollups_key_uq DO UPDATE SET
    total = r.total + excluded.total, score_sum = r.score_sum + excluded.score_sum,
    score_1 = r.score_1 + excluded.score_1, score_2 = r.score_2 + excluded.score_2, score_3 = r.score_3 + excluded.score_3,
    score_4 = r.score_4 + excluded.score_4, score_5 = r.score_5 + excluded.score_5,
    unrated = r.unrated + excluded.unrated, excluded = r.excluded + excluded.excluded;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- 0029's correction trigger: the state before this batch (its own rows ignored) and after, both through the function.
CREATE OR REPLACE FUNCTION evaluation_rollups_on_corrections() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('evaluation:' || c.evaluation_id::text, 0))
  FROM (SELECT DISTINCT evaluation_id FROM new_rows WHERE kind IN ('exclude', 'restore') ORDER BY 1) c;
  INSERT INTO evaluation_rollups AS r (tenant_id, day, unit_id, counter_id, staff_id, channel, business_type,
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
  ORDER BY d.tenant_id, d.day, d.unit_id, d.counter_id, d.staff_id, d.channel, d.business_type
  ON CONFLICT ON CONSTRAINT evaluation_rollups_key_uq DO UPDATE SET
    total = r.total + excluded.total, score_sum = r.score_sum + excluded.score_sum,
    score_1 = r.score_1 + excluded.score_1, score_2 = r.score_2 + excluded.score_2, score_3 = r.score_3 + excluded.score_3,
    score_4 = r.score_4 + excluded.score_4, score_5 = r.score_5 + excluded.score_5,
    unrated = r.unrated + excluded.unrated, excluded = r.excluded + excluded.excluded;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- 0035's survey triggers, the same way.
CREATE OR REPLACE FUNCTION survey_rollups_on_evaluations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO survey_rollup_pending (tenant_id, response_id, sign)
  SELECT x.tenant_id, x.rid, 1
    FROM (SELECT n.tenant_id, n.id, survey_rollups_response_of(n.ref_type, n.ref_id, n.answers) AS rid FROM new_rows n) x
    LEFT JOIN LATERAL evaluation_exclusion_state(x.tenant_id, x.id) v ON true
   WHERE x.rid IS NOT NULL AND NOT coalesce(v.is_excluded, false);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION survey_rollups_on_corrections() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM new_rows WHERE kind IN ('exclude', 'restore')) THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('evaluation:' || x.evaluation_id::text, 0))
     FROM (SELECT DISTINCT evaluation_id FROM new_rows WHERE kind IN ('exclude', 'restore') ORDER BY 1) x;
  WITH c AS (
    SELECT n.tenant_id, n.evaluation_id, array_agg(n.id) AS ids FROM new_rows n
     WHERE n.kind IN ('exclude', 'restore') GROUP BY n.tenant_id, n.evaluation_id
  ), flip AS (
    SELECT c.tenant_id, c.evaluation_id, coalesce(now_x.is_excluded, false) AS now_excluded
      FROM c
      LEFT JOIN LATERAL evaluation_exclusion_state(c.tenant_id, c.evaluation_id) now_x ON true
      LEFT JOIN LATERAL evaluation_exclusion_state(c.tenant_id, c.evaluation_id, c.ids) was_x ON true
     WHERE coalesce(was_x.is_excluded, false) <> coalesce(now_x.is_excluded, false)
  )
  INSERT INTO survey_rollup_pending (tenant_id, response_id, sign)
  SELECT e.tenant_id, r.rid, CASE WHEN f.now_excluded THEN -1 ELSE 1 END
    FROM flip f
    JOIN evaluations e ON e.tenant_id = f.tenant_id AND e.id = f.evaluation_id
    CROSS JOIN LATERAL (SELECT survey_rollups_response_of(e.ref_type, e.ref_id, e.answers) AS rid) r
   WHERE r.rid IS NOT NULL;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- 2. The append-only trigger (0007) let a relinking UPDATE (huifang.customer_relink = on) change any column but the
--    eight it listed (flags, rating label, source, received_at among them). Now it allows exactly what a relink does
--    (relinkEvaluations): the customer link may change, the free text, the answers and the link to a service record
--    (erasure deletes the customer's service records) may only be cleared; every
--    other column must stay as it was (compared as a whole row, so a column added later is covered too).
--    evaluation_corrections shares the function and never allows an UPDATE.
CREATE OR REPLACE FUNCTION evaluations_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'evaluations'
     AND coalesce(current_setting('huifang.customer_relink', true), '') = 'on' THEN
    IF to_jsonb(NEW) - '{customer_id,text,answers,service_record_id}'::text[]
         = to_jsonb(OLD) - '{customer_id,text,answers,service_record_id}'::text[]
       AND (NEW.service_record_id IS NULL OR NEW.service_record_id IS NOT DISTINCT FROM OLD.service_record_id)
       AND (NEW.text IS NULL OR NEW.text IS NOT DISTINCT FROM OLD.text)
       AND (NEW.answers IS NULL OR NEW.answers IS NOT DISTINCT FROM OLD.answers) THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
