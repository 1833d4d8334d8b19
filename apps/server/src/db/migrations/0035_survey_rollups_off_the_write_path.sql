CREATE TABLE "survey_rollup_pending" (
	"tenant_id" uuid NOT NULL,
	"response_id" uuid NOT NULL,
	"sign" smallint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "evaluation_events" DROP CONSTRAINT "evaluation_events_tenant_id_tenants_id_fk";

--> statement-breakpoint
-- Custom SQL (issue 12, speed), 2: evaluation_events loses its foreign key to tenants (above, generated): each event is
-- written by the statement of its evaluation or correction, whose tenant key already holds; the per-row check took
-- a KEY SHARE lock on the one tenant row for every press of every concurrent batch.

-- Custom SQL (issue 12, speed), 1: the survey rollups leave the write path. Until now the statement-level trigger on
-- evaluations upserted every (question, value) × (day, month) row of the survey rollups in the writing transaction:
-- ~70 rows per response, the same hot rows for every response of a day, ~0.3 ms of Postgres per response (more than
-- half the open-link submit's throughput). Now the writing transaction appends one row per response to
-- survey_rollup_pending, and survey_rollups_fold adds the pending responses into survey_rollups in bulk: readers fold
-- their tenant first (so they read exactly what a GROUP BY over the facts gives), the survey-rollups-fold job folds
-- every tenant every few seconds. survey_rollups_apply (0028) is unchanged; corrections queue -1 / +1 the same way.
-- Lock order everywhere: survey_rollup_pending, then survey_rollups (writers touch only the first).

-- New evaluations: the survey responses they carry are queued, once per statement.
CREATE OR REPLACE FUNCTION survey_rollups_on_evaluations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO survey_rollup_pending (tenant_id, response_id, sign)
  SELECT x.tenant_id, x.rid, 1
    FROM (SELECT n.tenant_id, n.id, survey_rollups_response_of(n.ref_type, n.ref_id, n.answers) AS rid FROM new_rows n) x
   WHERE x.rid IS NOT NULL
     AND NOT coalesce((SELECT c.kind = 'exclude' FROM evaluation_corrections c
                        WHERE c.tenant_id = x.tenant_id AND c.evaluation_id = x.id AND c.kind IN ('exclude', 'restore')
                        ORDER BY c.id DESC LIMIT 1), false);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- New exclude/restore corrections: as in 0028 (a response leaves or re-enters only when its evaluation's effective
-- state changes, under the evaluation's advisory lock), but queued: -1 when it became excluded, +1 when restored.
CREATE OR REPLACE FUNCTION survey_rollups_on_corrections() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM new_rows WHERE kind IN ('exclude', 'restore')) THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('evaluation:' || x.evaluation_id::text, 0))
     FROM (SELECT DISTINCT evaluation_id FROM new_rows WHERE kind IN ('exclude', 'restore') ORDER BY 1) x;
  WITH c AS (
    SELECT DISTINCT n.tenant_id, n.evaluation_id FROM new_rows n WHERE n.kind IN ('exclude', 'restore')
  ), flip AS (
    SELECT c.tenant_id, c.evaluation_id, s.now_excluded
      FROM c CROSS JOIN LATERAL (
        SELECT coalesce((SELECT p.kind = 'exclude' FROM evaluation_corrections p
                          WHERE p.tenant_id = c.tenant_id AND p.evaluation_id = c.evaluation_id AND p.kind IN ('exclude', 'restore')
                            AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.tenant_id = p.tenant_id AND n.id = p.id)
                          ORDER BY p.id DESC LIMIT 1), false) AS was_excluded,
               survey_rollups_is_excluded(c.tenant_id, c.evaluation_id) AS now_excluded
      ) s
     WHERE s.was_excluded <> s.now_excluded
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
-- Move the pending responses of one tenant (all tenants when p_tenant is null) into survey_rollups; returns how many
-- pending rows it took. Folds run one at a time (advisory lock, held to the end of the transaction): one that takes
-- away (-1) and adds (+1) upserts rollup rows in two sorted passes, and two such folds at once could deadlock. A fold
-- that waited then finds the rows the other took gone, and reads the other's committed rollups. Rows are netted per
-- response first (+1 then -1 cancel out before touching any rollup row).
CREATE FUNCTION survey_rollups_fold(p_tenant uuid) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_add_t uuid[]; v_add_r uuid[]; v_sub_t uuid[]; v_sub_r uuid[];
  v_taken integer;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('survey_rollups_fold', 0));
  WITH d AS (
    DELETE FROM survey_rollup_pending p WHERE p_tenant IS NULL OR p.tenant_id = p_tenant
    RETURNING p.tenant_id, p.response_id, p.sign
  ), net AS (
    SELECT tenant_id, response_id, sum(sign)::integer AS n, count(*) AS taken FROM d GROUP BY tenant_id, response_id
  ), x AS (
    -- a response twice in one direction (never expected) is applied twice
    SELECT net.tenant_id, net.response_id, net.n FROM net CROSS JOIN LATERAL generate_series(1, abs(net.n)) g
  )
  SELECT (SELECT coalesce(sum(taken), 0)::integer FROM net),
         array_agg(x.tenant_id) FILTER (WHERE x.n > 0), array_agg(x.response_id) FILTER (WHERE x.n > 0),
         array_agg(x.tenant_id) FILTER (WHERE x.n < 0), array_agg(x.response_id) FILTER (WHERE x.n < 0)
    INTO v_taken, v_add_t, v_add_r, v_sub_t, v_sub_r
    FROM x;
  IF v_sub_r IS NOT NULL THEN
    PERFORM survey_rollups_apply(v_sub_t, v_sub_r, -1);
  END IF;
  IF v_add_r IS NOT NULL THEN
    PERFORM survey_rollups_apply(v_add_t, v_add_r, 1);
  END IF;
  RETURN v_taken;
END;
$$;
--> statement-breakpoint
-- Recompute from the facts (all tenants when p_tenant is null), as in 0028, now also dropping the tenant's pending
-- rows (the facts they stand for are counted by the recomputation). Both tables are locked first, in the order the
-- folds take them: writers wait at their trigger until the rebuild commits, so none is counted twice or missed.
CREATE OR REPLACE FUNCTION survey_rollups_rebuild(p_tenant uuid) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_tenants uuid[];
  v_responses uuid[];
  v_total integer := 0;
BEGIN
  LOCK TABLE survey_rollup_pending IN SHARE ROW EXCLUSIVE MODE;
  LOCK TABLE survey_rollups IN SHARE ROW EXCLUSIVE MODE;
  DELETE FROM survey_rollup_pending WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  DELETE FROM survey_rollups WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  FOR v_tenants, v_responses IN
    SELECT array_agg(x.tenant_id), array_agg(x.rid)
      FROM (SELECT e.tenant_id, survey_rollups_response_of(e.ref_type, e.ref_id, e.answers) AS rid,
                   (row_number() OVER ()) / 20000 AS chunk
              FROM evaluations e
             WHERE (p_tenant IS NULL OR e.tenant_id = p_tenant) AND e.ref_type IN ('survey_response', 'followup_task')
               AND survey_rollups_response_of(e.ref_type, e.ref_id, e.answers) IS NOT NULL
               AND NOT survey_rollups_is_excluded(e.tenant_id, e.id)) x
     GROUP BY x.chunk
  LOOP
    PERFORM survey_rollups_apply(v_tenants, v_responses, 1);
    v_total := v_total + cardinality(v_responses);
  END LOOP;
  RETURN v_total;
END;
$$;
