-- Custom SQL (issue 12, the survey open-link submit's fold): survey_rollups_apply, the work of every survey rollup
-- fold (survey_rollups_fold, 0035) and rebuild, counts the same rows in fewer passes; its signature, its result and
-- the rows it writes are unchanged (survey-rollups.test.ts compares them with a GROUP BY over the facts).
--
-- Before: every (response, answer) pair (~13 per response) was grouped three times, each time by the full rollup key
-- (tenant, survey, version, unit, day, question, value: three uuids, a date, an int and two texts hashed per pair),
-- and once more scanned for arrays; the fold cost ~0.035–0.075 ms of Postgres per response (bench/README.md,
-- 2026-12-05 09:00), about a tenth of a submit's whole CPU.
-- Now the responses are first grouped by survey version, unit and day (g: in a fold almost all of them fall in one
-- group), and within a group each distinct answer (question, value as jsonb text) is counted once by a small hash
-- aggregate over two texts (av). 'answered', 'value' and the array elements are then summed from those few rows. The
-- value is grouped by its jsonb text, not by jsonb equality, so 5 and 5.0 stay two values as before.
CREATE OR REPLACE FUNCTION survey_rollups_apply(p_tenants uuid[], p_responses uuid[], p_sign integer) RETURNS void
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
  ), g AS MATERIALIZED (
    -- the responses counted together: one survey version, unit and local day
    SELECT tenant_id, survey_id, version, unit_id, day, count(*) AS n, count(index_value) AS index_n,
           coalesce(sum(index_value::float8), 0) AS index_sum, array_agg(answers) AS answers,
           array_agg(dimension_scores) AS dims
      FROM f GROUP BY tenant_id, survey_id, version, unit_id, day
  ), text_keys AS (
    -- free-text questions of each response's own version: their answers are never tallied by value
    SELECT DISTINCT fv.tenant_id, fv.survey_id, fv.version, q ->> 'key' AS key
      FROM (SELECT DISTINCT tenant_id, survey_id, version FROM g) fv
      CROSS JOIN LATERAL (SELECT v.definition FROM survey_versions v
                           WHERE v.tenant_id = fv.tenant_id AND v.survey_id = fv.survey_id AND v.version = fv.version) v
      CROSS JOIN LATERAL jsonb_array_elements(v.definition -> 'questions') q
     WHERE q ->> 'type' = 'text'
  ), av AS MATERIALIZED (
    -- each distinct answer of a group once, with the number of responses that gave it
    SELECT g.tenant_id, g.survey_id, g.version, g.unit_id, g.day, x.key, x.value::jsonb AS value, x.n
      FROM g CROSS JOIN LATERAL (
        SELECT a.key, a.value::text AS value, count(*) AS n
          FROM unnest(g.answers) AS r(answers) CROSS JOIN LATERAL jsonb_each(r.answers) a
         GROUP BY a.key, a.value::text
      ) x
  ), dd AS (
    SELECT tenant_id, survey_id, 'response' AS kind, day, version, unit_id, '' AS key, '' AS value,
           n, 0::numeric AS sum, index_n, index_sum
      FROM g
    UNION ALL
    SELECT g.tenant_id, g.survey_id, 'dimension', g.day, g.version, g.unit_id, s.key, '', s.n, s.sum, 0, 0
      FROM g CROSS JOIN LATERAL (
        SELECT d.key, count(*) AS n, sum(d.value::numeric) AS sum
          FROM unnest(g.dims) AS r(dims) CROSS JOIN LATERAL jsonb_each_text(r.dims) d
         GROUP BY d.key
      ) s
    UNION ALL
    SELECT tenant_id, survey_id, 'answered', day, version, unit_id, key, '', sum(n)::bigint, 0, 0, 0
      FROM av GROUP BY tenant_id, survey_id, day, version, unit_id, key
    UNION ALL
    SELECT av.tenant_id, av.survey_id, 'value', av.day, av.version, av.unit_id, av.key, av.value #>> '{}', sum(av.n)::bigint, 0, 0, 0
      FROM av
     WHERE jsonb_typeof(av.value) NOT IN ('array', 'null')
       AND NOT EXISTS (SELECT 1 FROM text_keys k WHERE k.tenant_id = av.tenant_id AND k.survey_id = av.survey_id
                                                  AND k.version = av.version AND k.key = av.key)
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    UNION ALL
    SELECT av.tenant_id, av.survey_id, 'value', av.day, av.version, av.unit_id, av.key, x.value, sum(av.n)::bigint, 0, 0, 0
      FROM av CROSS JOIN LATERAL jsonb_array_elements_text(av.value) x(value)
     WHERE jsonb_typeof(av.value) = 'array' AND x.value IS NOT NULL
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
