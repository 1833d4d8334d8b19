CREATE TABLE "evaluation_hour_rollups" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"hour" smallint NOT NULL,
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
	CONSTRAINT "evaluation_hour_rollups_key_uq" UNIQUE NULLS NOT DISTINCT("tenant_id","day","hour","unit_id","counter_id","staff_id","channel","business_type")
);
--> statement-breakpoint
CREATE INDEX "evaluation_hour_rollups_staff_idx" ON "evaluation_hour_rollups" USING btree ("tenant_id","staff_id","day");--> statement-breakpoint
CREATE INDEX "evaluation_hour_rollups_unit_idx" ON "evaluation_hour_rollups" USING btree ("tenant_id","unit_id","day");--> statement-breakpoint
-- Custom SQL below (not generated): the triggers that keep evaluation_hour_rollups (db/schema/evaluation-hour-rollups.ts)
-- in the transaction of every write, and its rebuild. As in 0040, ONE definition of the aggregate: a function
-- returning the upsert over a source query of evaluation rows with `counted` (+1/−1 on the counted side) and `excl`
-- (+1/−1 on the excluded side); the triggers run it over their transition tables, the rebuild over the facts. The
-- exclusion rule is 0039's evaluation_exclusion_state() (the latest exclude/restore decides); local day and hour are
-- in tenants.time_zone, the business type is the rated service session's — the keys of evaluation_rollups plus the
-- hour. Keys are upserted in a fixed order (no deadlock between two batches).
CREATE FUNCTION evaluation_hour_rollups_upsert(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
SELECT format($q$
  INSERT INTO evaluation_hour_rollups AS r (tenant_id, day, hour, unit_id, counter_id, staff_id, channel, business_type,
                                           total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
  SELECT d.tenant_id, (d.occurred_at AT TIME ZONE tn.time_zone)::date,
         extract(hour FROM d.occurred_at AT TIME ZONE tn.time_zone)::smallint,
         d.unit_id, d.counter_id, d.staff_id, d.channel, s.business_type,
         sum(d.counted), coalesce(sum(d.counted * d.score), 0),
         coalesce(sum(d.counted) FILTER (WHERE d.score = 1), 0), coalesce(sum(d.counted) FILTER (WHERE d.score = 2), 0),
         coalesce(sum(d.counted) FILTER (WHERE d.score = 3), 0), coalesce(sum(d.counted) FILTER (WHERE d.score = 4), 0),
         coalesce(sum(d.counted) FILTER (WHERE d.score = 5), 0), coalesce(sum(d.counted) FILTER (WHERE d.score IS NULL), 0),
         sum(d.excl)
  FROM (%s) d
  JOIN tenants tn ON tn.id = d.tenant_id
  LEFT JOIN service_sessions s ON d.ref_type = 'service_session' AND s.tenant_id = d.tenant_id AND s.id = d.ref_id
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
  ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
  ON CONFLICT ON CONSTRAINT evaluation_hour_rollups_key_uq DO UPDATE SET
    total = r.total + excluded.total, score_sum = r.score_sum + excluded.score_sum,
    score_1 = r.score_1 + excluded.score_1, score_2 = r.score_2 + excluded.score_2, score_3 = r.score_3 + excluded.score_3,
    score_4 = r.score_4 + excluded.score_4, score_5 = r.score_5 + excluded.score_5,
    unrated = r.unrated + excluded.unrated, excluded = r.excluded + excluded.excluded
$q$, src)
$f$;
--> statement-breakpoint
-- New evaluations: counted unless already excluded (an evaluation is normally new to its corrections).
CREATE FUNCTION evaluation_hour_rollups_on_evaluations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE evaluation_hour_rollups_upsert($s$
    SELECT n.tenant_id, n.occurred_at, n.unit_id, n.counter_id, n.staff_id, n.channel, n.ref_type, n.ref_id, n.score,
           CASE WHEN coalesce(v.is_excluded, false) THEN 0 ELSE 1 END AS counted,
           CASE WHEN coalesce(v.is_excluded, false) THEN 1 ELSE 0 END AS excl
    FROM new_rows n LEFT JOIN LATERAL evaluation_exclusion_state(n.tenant_id, n.id) v ON true$s$);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER evaluation_hour_rollups_insert AFTER INSERT ON evaluations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION evaluation_hour_rollups_on_evaluations();
--> statement-breakpoint
-- Corrections move an evaluation between counted and excluded only when its state changes (the state without this
-- batch's rows against the state with them), serialised per evaluation by the same advisory lock as 0039's trigger.
CREATE FUNCTION evaluation_hour_rollups_on_corrections() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('evaluation:' || c.evaluation_id::text, 0))
  FROM (SELECT DISTINCT evaluation_id FROM new_rows WHERE kind IN ('exclude', 'restore') ORDER BY 1) c;
  EXECUTE evaluation_hour_rollups_upsert($s$
    SELECT e.tenant_id, e.occurred_at, e.unit_id, e.counter_id, e.staff_id, e.channel, e.ref_type, e.ref_id, e.score,
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
    WHERE ch.is_excluded <> ch.was_excluded$s$);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER evaluation_hour_rollups_corrections AFTER INSERT ON evaluation_corrections
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION evaluation_hour_rollups_on_corrections();
--> statement-breakpoint
-- Recompute from the facts (one tenant or all), writers held off meanwhile; rebuildEvaluationRollups() runs it after
-- evaluation_rollups_rebuild(), so `npm run rollups:rebuild` covers it.
CREATE FUNCTION evaluation_hour_rollups_rebuild(p_tenant uuid DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE evaluations, evaluation_corrections, service_sessions, tenants IN SHARE MODE;
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
--> statement-breakpoint
-- Backfill from the facts already stored.
SELECT evaluation_hour_rollups_rebuild();
