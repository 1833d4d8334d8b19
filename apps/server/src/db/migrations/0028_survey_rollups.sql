CREATE TABLE "survey_rollups" (
	"tenant_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"grain" text NOT NULL,
	"kind" text NOT NULL,
	"day" date NOT NULL,
	"version" integer NOT NULL,
	"unit_id" uuid NOT NULL,
	"key" text DEFAULT '' NOT NULL,
	"value" text DEFAULT '' NOT NULL,
	"n" integer NOT NULL,
	"sum" numeric DEFAULT '0' NOT NULL,
	"index_n" integer DEFAULT 0 NOT NULL,
	"index_sum" double precision DEFAULT 0 NOT NULL,
	CONSTRAINT "survey_rollups_pk" PRIMARY KEY("tenant_id","survey_id","grain","day","kind","version","unit_id","key","value")
);

--> statement-breakpoint
-- Survey rollups (issue 12, the survey side of the one read model): maintained in the writing transaction by the
-- triggers below, whatever code inserts the evaluation or the correction; survey_rollups_rebuild recomputes them from
-- the facts. A counted response is a survey_responses row whose evaluation (ref_type 'survey_response', or a
-- follow-up call's evaluation naming answers.responseId) is stored and not excluded. The survey_responses row must be
-- written before its evaluation or by the same statement (the channels do both: surveys.responses.ts, followup).

-- The survey response an evaluation carries, if any (the one place that links the two).
CREATE FUNCTION survey_rollups_response_of(p_ref_type text, p_ref_id uuid, p_answers jsonb) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_ref_type = 'survey_response' THEN p_ref_id
              WHEN p_ref_type = 'followup_task' THEN (p_answers ->> 'responseId')::uuid END
$$;
--> statement-breakpoint
-- The latest exclude/restore correction decides whether an evaluation counts (as in the evaluation list).
CREATE FUNCTION survey_rollups_is_excluded(p_tenant uuid, p_evaluation uuid) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT c.kind = 'exclude' FROM evaluation_corrections c
                    WHERE c.tenant_id = p_tenant AND c.evaluation_id = p_evaluation AND c.kind IN ('exclude', 'restore')
                    ORDER BY c.id DESC LIMIT 1), false)
$$;
--> statement-breakpoint
-- Add (p_sign 1) or take away (-1) the given responses: one upsert per batch, grouped per rollup key, in key order
-- (concurrent batches lock shared rows in the same order). Rows falling to 0 are deleted. The responses are read by
-- primary key, joined to nothing else (the time zone is a scalar subquery): PL/pgSQL caches a generic plan after five
-- calls, which cannot know the batch size, and one that joined tenants first probed survey_responses by tenant alone
-- for every response (3 s for a batch of 200 instead of tens of ms).
CREATE FUNCTION survey_rollups_apply(p_tenants uuid[], p_responses uuid[], p_sign integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  z_t uuid[]; z_s uuid[]; z_g text[]; z_k text[]; z_d date[]; z_v integer[]; z_u uuid[]; z_key text[]; z_val text[];
BEGIN
  WITH f AS MATERIALIZED (
    SELECT r.tenant_id, r.survey_id, r.version, r.unit_id,
           (r.submitted_at AT TIME ZONE (SELECT t.time_zone FROM tenants t WHERE t.id = r.tenant_id))::date AS day,
           r.answers, r.dimension_scores, r.index_value
      FROM unnest(p_tenants, p_responses) AS x(tenant_id, id)
      JOIN survey_responses r ON r.tenant_id = x.tenant_id AND r.id = x.id
  ), text_keys AS (
    -- free-text questions of each response's own version: their answers are never tallied by value
    SELECT DISTINCT fv.tenant_id, fv.survey_id, fv.version, q ->> 'key' AS key
      FROM (SELECT DISTINCT tenant_id, survey_id, version FROM f) fv
      CROSS JOIN LATERAL (SELECT v.definition FROM survey_versions v
                           WHERE v.tenant_id = fv.tenant_id AND v.survey_id = fv.survey_id AND v.version = fv.version) v
      CROSS JOIN LATERAL jsonb_array_elements(v.definition -> 'questions') q
     WHERE q ->> 'type' = 'text'
  ), a AS MATERIALIZED (
    SELECT f.tenant_id, f.survey_id, f.version, f.unit_id, f.day, a.key, a.value
      FROM f CROSS JOIN LATERAL jsonb_each(f.answers) a
  ), dd AS (
    SELECT tenant_id, survey_id, 'response' AS kind, day, version, unit_id, '' AS key, '' AS value,
           count(*) AS n, 0::numeric AS sum, count(index_value) AS index_n, coalesce(sum(index_value::float8), 0) AS index_sum
      FROM f GROUP BY tenant_id, survey_id, day, version, unit_id
    UNION ALL
    SELECT f.tenant_id, f.survey_id, 'dimension', f.day, f.version, f.unit_id, s.key, '', count(*), sum(s.value::numeric), 0, 0
      FROM f CROSS JOIN LATERAL jsonb_each_text(f.dimension_scores) s
     GROUP BY f.tenant_id, f.survey_id, f.day, f.version, f.unit_id, s.key
    UNION ALL
    SELECT tenant_id, survey_id, 'answered', day, version, unit_id, key, '', count(*), 0, 0, 0
      FROM a GROUP BY tenant_id, survey_id, day, version, unit_id, key
    UNION ALL
    SELECT a.tenant_id, a.survey_id, 'value', a.day, a.version, a.unit_id, a.key, a.value #>> '{}', count(*), 0, 0, 0
      FROM a
     WHERE jsonb_typeof(a.value) NOT IN ('array', 'null')
       AND NOT EXISTS (SELECT 1 FROM text_keys k WHERE k.tenant_id = a.tenant_id AND k.survey_id = a.survey_id
                                                  AND k.version = a.version AND k.key = a.key)
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    UNION ALL
    SELECT a.tenant_id, a.survey_id, 'value', a.day, a.version, a.unit_id, a.key, x.value, count(*), 0, 0, 0
      FROM a CROSS JOIN LATERAL jsonb_array_elements_text(a.value) x(value)
     WHERE jsonb_typeof(a.value) = 'array' AND x.value IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
  ), d AS (
    -- every day row once more in its month's row
    SELECT 'day' AS grain, tenant_id, survey_id, kind, day, version, unit_id, key, value, n, sum, index_n, index_sum FROM dd
    UNION ALL
    SELECT 'month', tenant_id, survey_id, kind, date_trunc('month', day::timestamp)::date, version, unit_id, key, value,
           n, sum, index_n, index_sum
      FROM dd
  ), up AS (
    INSERT INTO survey_rollups AS s (tenant_id, survey_id, grain, day, kind, version, unit_id, key, value, n, sum, index_n, index_sum)
    SELECT tenant_id, survey_id, grain, day, kind, version, unit_id, key, value,
           p_sign * sum(n), p_sign * sum(sum), p_sign * sum(index_n), p_sign * sum(index_sum)
      FROM d GROUP BY tenant_id, survey_id, grain, day, kind, version, unit_id, key, value
     ORDER BY tenant_id, survey_id, grain, day, kind, version, unit_id, key, value
    ON CONFLICT (tenant_id, survey_id, grain, day, kind, version, unit_id, key, value) DO UPDATE
      SET n = s.n + excluded.n, sum = s.sum + excluded.sum, index_n = s.index_n + excluded.index_n,
          index_sum = s.index_sum + excluded.index_sum
    RETURNING s.tenant_id, s.survey_id, s.grain, s.day, s.kind, s.version, s.unit_id, s.key, s.value, s.n
  )
  SELECT array_agg(tenant_id), array_agg(survey_id), array_agg(grain), array_agg(day), array_agg(kind),
         array_agg(version), array_agg(unit_id), array_agg(key), array_agg(value)
    INTO z_t, z_s, z_g, z_d, z_k, z_v, z_u, z_key, z_val
    FROM up WHERE n = 0;
  IF z_t IS NOT NULL THEN
    DELETE FROM survey_rollups s
     USING unnest(z_t, z_s, z_g, z_d, z_k, z_v, z_u, z_key, z_val)
           AS z(tenant_id, survey_id, grain, day, kind, version, unit_id, key, value)
     WHERE s.tenant_id = z.tenant_id AND s.survey_id = z.survey_id AND s.grain = z.grain AND s.day = z.day
       AND s.kind = z.kind AND s.version = z.version AND s.unit_id = z.unit_id AND s.key = z.key AND s.value = z.value
       AND s.n = 0;
  END IF;
END;
$$;
--> statement-breakpoint
-- New evaluations: the survey responses they carry count, once per statement (a batch of open-link answers is one
-- upsert). Other channels' rows (kiosk presses) cost one pass over the transition table.
CREATE FUNCTION survey_rollups_on_evaluations() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_tenants uuid[];
  v_responses uuid[];
BEGIN
  -- survey_rollups_is_excluded written out: a subquery costs an index probe, a call of the SQL function ten times more
  SELECT array_agg(x.tenant_id), array_agg(x.rid) INTO v_tenants, v_responses
    FROM (SELECT n.tenant_id, n.id, survey_rollups_response_of(n.ref_type, n.ref_id, n.answers) AS rid FROM new_rows n) x
   WHERE x.rid IS NOT NULL
     AND NOT coalesce((SELECT c.kind = 'exclude' FROM evaluation_corrections c
                        WHERE c.tenant_id = x.tenant_id AND c.evaluation_id = x.id AND c.kind IN ('exclude', 'restore')
                        ORDER BY c.id DESC LIMIT 1), false);
  IF v_responses IS NOT NULL THEN
    PERFORM survey_rollups_apply(v_tenants, v_responses, 1);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER survey_rollups_evaluations_ins AFTER INSERT ON evaluations REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION survey_rollups_on_evaluations();
--> statement-breakpoint
-- New exclude/restore corrections: a response leaves (or re-enters) the rollups only when its evaluation's effective
-- state changes — state before this statement's rows vs. after. The advisory lock is the one correctEvaluation takes:
-- concurrent corrections of one evaluation are applied one after the other, each reading the other's outcome.
CREATE FUNCTION survey_rollups_on_corrections() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_add_t uuid[]; v_add_r uuid[]; v_sub_t uuid[]; v_sub_r uuid[];
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
  SELECT array_agg(e.tenant_id) FILTER (WHERE NOT f.now_excluded), array_agg(r.rid) FILTER (WHERE NOT f.now_excluded),
         array_agg(e.tenant_id) FILTER (WHERE f.now_excluded), array_agg(r.rid) FILTER (WHERE f.now_excluded)
    INTO v_add_t, v_add_r, v_sub_t, v_sub_r
    FROM flip f
    JOIN evaluations e ON e.tenant_id = f.tenant_id AND e.id = f.evaluation_id
    CROSS JOIN LATERAL (SELECT survey_rollups_response_of(e.ref_type, e.ref_id, e.answers) AS rid) r
   WHERE r.rid IS NOT NULL;
  IF v_sub_r IS NOT NULL THEN
    PERFORM survey_rollups_apply(v_sub_t, v_sub_r, -1);
  END IF;
  IF v_add_r IS NOT NULL THEN
    PERFORM survey_rollups_apply(v_add_t, v_add_r, 1);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER survey_rollups_corrections_ins AFTER INSERT ON evaluation_corrections REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION survey_rollups_on_corrections();
--> statement-breakpoint
-- Recompute from the facts (all tenants when p_tenant is null); returns the responses counted. The table lock makes
-- writers wait at their trigger until the rebuild commits, so none is counted twice or missed.
CREATE FUNCTION survey_rollups_rebuild(p_tenant uuid) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_tenants uuid[];
  v_responses uuid[];
  v_total integer := 0;
BEGIN
  LOCK TABLE survey_rollups IN SHARE ROW EXCLUSIVE MODE;
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
--> statement-breakpoint
-- Days are the tenant's local days: a new time zone re-buckets that tenant's rollups.
CREATE FUNCTION survey_rollups_on_tenant_zone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM survey_rollups_rebuild(NEW.id);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER survey_rollups_tenant_zone AFTER UPDATE OF time_zone ON tenants
  FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone) EXECUTE FUNCTION survey_rollups_on_tenant_zone();
--> statement-breakpoint
-- Backfill: the responses stored before this migration.
SELECT survey_rollups_rebuild(NULL);
