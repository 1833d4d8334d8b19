CREATE TABLE "evaluation_value_pending" (
	"tenant_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"day" date NOT NULL,
	"unit_id" uuid NOT NULL,
	"channel" text NOT NULL,
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
CREATE TABLE "evaluation_value_rollup_runs" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"finished_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluation_value_rollups" (
	"tenant_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"day" date NOT NULL,
	"unit_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"tier" text,
	"lifecycle" text,
	"rule_class" text,
	"total" integer DEFAULT 0 NOT NULL,
	"score_sum" bigint DEFAULT 0 NOT NULL,
	"score_1" integer DEFAULT 0 NOT NULL,
	"score_2" integer DEFAULT 0 NOT NULL,
	"score_3" integer DEFAULT 0 NOT NULL,
	"score_4" integer DEFAULT 0 NOT NULL,
	"score_5" integer DEFAULT 0 NOT NULL,
	"unrated" integer DEFAULT 0 NOT NULL,
	"excluded" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "evaluation_value_rollups_key_uq" UNIQUE NULLS NOT DISTINCT("tenant_id","run_id","day","unit_id","channel","tier","lifecycle","rule_class")
);
--> statement-breakpoint
CREATE INDEX "evaluation_value_rollups_unit_idx" ON "evaluation_value_rollups" USING btree ("tenant_id","run_id","unit_id","day");--> statement-breakpoint
-- Custom SQL (issue 15: a customer tier is a cut in 统计分析; issue 14: rollups only, exact, scoped). Semantics: a
-- rating is cut by its customer's values in the tenant's latest finished value run (the current segmentation), not
-- by the tier at the time of rating. The write path only APPENDS to evaluation_value_pending, and only for ratings
-- with a customer (anonymous kiosk presses cost a filter on the transition table): no rollup row is locked by a
-- writer. evaluation_value_rollups_fold() maps the queue to the customer's tier / lifecycle / rule class in the cut
-- run (evaluation_value_rollup_runs; null keys: not in the run) and adds it in bulk; modules/evaluations/rollups.ts
-- foldEvaluationRollups runs it beside evaluation_rollups_fold() (every reader, and the 5 s fold job).
-- evaluation_value_rollups_recompute(tenant) rebuilds the tenant's rows from the facts for its latest finished run:
-- the value run calls it in its own transaction as it finishes (readers see the previous run's rows until it
-- commits), and evaluation_value_rollups_rebuild() (npm run rollups:rebuild) for every tenant.

-- New evaluations with a customer: their change per customer × local day × unit × channel.
CREATE FUNCTION evaluation_value_rollups_on_evaluations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO evaluation_value_pending (tenant_id, customer_id, day, unit_id, channel, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
  SELECT d.tenant_id, d.customer_id, d.day, d.unit_id, d.channel,
         sum(d.counted), coalesce(sum(d.counted * d.score), 0),
         coalesce(sum(d.counted) FILTER (WHERE d.score = 1), 0), coalesce(sum(d.counted) FILTER (WHERE d.score = 2), 0),
         coalesce(sum(d.counted) FILTER (WHERE d.score = 3), 0), coalesce(sum(d.counted) FILTER (WHERE d.score = 4), 0),
         coalesce(sum(d.counted) FILTER (WHERE d.score = 5), 0), coalesce(sum(d.counted) FILTER (WHERE d.score IS NULL), 0),
         sum(d.excl)
  FROM (
    SELECT n.tenant_id, n.customer_id, (n.occurred_at AT TIME ZONE t.time_zone)::date AS day, n.unit_id, n.channel, n.score,
           CASE WHEN coalesce(v.is_excluded, false) THEN 0 ELSE 1 END AS counted,
           CASE WHEN coalesce(v.is_excluded, false) THEN 1 ELSE 0 END AS excl
    FROM new_rows n
    JOIN tenants t ON t.id = n.tenant_id
    LEFT JOIN LATERAL evaluation_exclusion_state(n.tenant_id, n.id) v ON true
    WHERE n.customer_id IS NOT NULL
  ) d
  GROUP BY 1, 2, 3, 4, 5;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER evaluation_value_rollups_insert AFTER INSERT ON evaluations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION evaluation_value_rollups_on_evaluations();
--> statement-breakpoint
-- Exclude / restore of a rating with a customer: as evaluation_rollups_on_corrections (0049), only a change of the
-- effective state moves it, under the evaluation's advisory lock (re-entrant: that trigger takes it too).
CREATE FUNCTION evaluation_value_rollups_on_corrections() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('evaluation:' || c.evaluation_id::text, 0))
  FROM (SELECT DISTINCT evaluation_id FROM new_rows WHERE kind IN ('exclude', 'restore') ORDER BY 1) c;
  INSERT INTO evaluation_value_pending (tenant_id, customer_id, day, unit_id, channel, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
  SELECT d.tenant_id, d.customer_id, d.day, d.unit_id, d.channel,
         sum(d.counted), coalesce(sum(d.counted * d.score), 0),
         coalesce(sum(d.counted) FILTER (WHERE d.score = 1), 0), coalesce(sum(d.counted) FILTER (WHERE d.score = 2), 0),
         coalesce(sum(d.counted) FILTER (WHERE d.score = 3), 0), coalesce(sum(d.counted) FILTER (WHERE d.score = 4), 0),
         coalesce(sum(d.counted) FILTER (WHERE d.score = 5), 0), coalesce(sum(d.counted) FILTER (WHERE d.score IS NULL), 0),
         sum(d.excl)
  FROM (
    SELECT e.tenant_id, e.customer_id, (e.occurred_at AT TIME ZONE t.time_zone)::date AS day, e.unit_id, e.channel, e.score,
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
    WHERE ch.is_excluded <> ch.was_excluded AND e.customer_id IS NOT NULL
  ) d
  GROUP BY 1, 2, 3, 4, 5;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER evaluation_value_rollups_corrections AFTER INSERT ON evaluation_corrections
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION evaluation_value_rollups_on_corrections();
--> statement-breakpoint
-- A relink of the customer (merge of duplicates, erasure, a deleted customer's ON DELETE SET NULL — the only UPDATEs
-- evaluations allow): the rating leaves the old customer's key and joins the new one's, in its current state.
-- (Transition tables do not combine with a column list, so every UPDATE statement runs it; they are rare.)
CREATE FUNCTION evaluation_value_rollups_on_relink() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('evaluation:' || c.id::text, 0))
  FROM (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE n.customer_id IS DISTINCT FROM o.customer_id ORDER BY 1) c;
  INSERT INTO evaluation_value_pending (tenant_id, customer_id, day, unit_id, channel, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
  SELECT d.tenant_id, d.customer_id, d.day, d.unit_id, d.channel,
         sum(d.counted), coalesce(sum(d.counted * d.score), 0),
         coalesce(sum(d.counted) FILTER (WHERE d.score = 1), 0), coalesce(sum(d.counted) FILTER (WHERE d.score = 2), 0),
         coalesce(sum(d.counted) FILTER (WHERE d.score = 3), 0), coalesce(sum(d.counted) FILTER (WHERE d.score = 4), 0),
         coalesce(sum(d.counted) FILTER (WHERE d.score = 5), 0), coalesce(sum(d.counted) FILTER (WHERE d.score IS NULL), 0),
         sum(d.excl)
  FROM (
    SELECT n.tenant_id, s.customer_id, (n.occurred_at AT TIME ZONE t.time_zone)::date AS day, n.unit_id, n.channel, n.score,
           s.sign * CASE WHEN coalesce(v.is_excluded, false) THEN 0 ELSE 1 END AS counted,
           s.sign * CASE WHEN coalesce(v.is_excluded, false) THEN 1 ELSE 0 END AS excl
    FROM new_rows n
    JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.id = n.id
    JOIN tenants t ON t.id = n.tenant_id
    LEFT JOIN LATERAL evaluation_exclusion_state(n.tenant_id, n.id) v ON true
    CROSS JOIN LATERAL (VALUES (o.customer_id, -1), (n.customer_id, 1)) s(customer_id, sign)
    WHERE n.customer_id IS DISTINCT FROM o.customer_id AND s.customer_id IS NOT NULL
  ) d
  GROUP BY 1, 2, 3, 4, 5;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER evaluation_value_rollups_relink AFTER UPDATE ON evaluations
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION evaluation_value_rollups_on_relink();
--> statement-breakpoint
-- The fold: the queue (one tenant's, or all) mapped to the cut run's customer values and added in bulk. A tenant
-- without a cut run has nothing to add to: its queue is dropped (its first run's recompute reads the facts).
-- p_wait = false (foldEvaluationRollups, run by every evaluation reader and the fold job): while a value run's
-- recompute holds the lock, skip instead of making every dashboard wait for it; the cut's own reader waits (true).
CREATE FUNCTION evaluation_value_rollups_fold(p_tenant uuid DEFAULT NULL, p_wait boolean DEFAULT true) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_taken integer;
BEGIN
  IF p_wait THEN
    PERFORM pg_advisory_xact_lock(hashtextextended('evaluation_value_rollups_fold', 0));
  ELSIF NOT pg_try_advisory_xact_lock(hashtextextended('evaluation_value_rollups_fold', 0)) THEN
    RETURN 0;
  END IF;
  WITH d AS (
    DELETE FROM evaluation_value_pending p WHERE p_tenant IS NULL OR p.tenant_id = p_tenant
    RETURNING p.*
  ),
  ins AS (
    INSERT INTO evaluation_value_rollups AS r (tenant_id, run_id, day, unit_id, channel, tier, lifecycle, rule_class, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
    SELECT d.tenant_id, st.run_id, d.day, d.unit_id, d.channel, cv.tier, cv.lifecycle, cv.rule_class,
           sum(d.total), sum(d.score_sum), sum(d.score_1), sum(d.score_2), sum(d.score_3), sum(d.score_4), sum(d.score_5), sum(d.unrated), sum(d.excluded)
    FROM d
    JOIN evaluation_value_rollup_runs st ON st.tenant_id = d.tenant_id
    LEFT JOIN customer_values cv ON cv.tenant_id = d.tenant_id AND cv.run_id = st.run_id AND cv.customer_id = d.customer_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT ON CONSTRAINT evaluation_value_rollups_key_uq DO UPDATE SET
      total = r.total + excluded.total, score_sum = r.score_sum + excluded.score_sum, score_1 = r.score_1 + excluded.score_1, score_2 = r.score_2 + excluded.score_2, score_3 = r.score_3 + excluded.score_3, score_4 = r.score_4 + excluded.score_4, score_5 = r.score_5 + excluded.score_5, unrated = r.unrated + excluded.unrated, excluded = r.excluded + excluded.excluded
  )
  SELECT count(*)::integer INTO v_taken FROM d;
  RETURN v_taken;
END;
$$;
--> statement-breakpoint
-- The tenant's cut recomputed from the facts for its latest finished run (set-based; no lock on the facts). Under
-- the fold's lock, the queue is emptied and the facts read in ONE statement (one snapshot): the queued changes it
-- takes are exactly those whose facts it sees; a writer committing later leaves its change queued, to be folded onto
-- the new run. Called by the value run in its transaction (value.runner.ts) and by the rebuild.
CREATE FUNCTION evaluation_value_rollups_recompute(p_tenant uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_run uuid;
  v_finished timestamptz;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('evaluation_value_rollups_fold', 0));
  SELECT r.id, r.finished_at INTO v_run, v_finished FROM value_runs r
   WHERE r.tenant_id = p_tenant AND r.status = 'done' ORDER BY r.seq DESC LIMIT 1;
  DELETE FROM evaluation_value_rollups WHERE tenant_id = p_tenant;
  IF v_run IS NULL THEN
    DELETE FROM evaluation_value_pending WHERE tenant_id = p_tenant;
    DELETE FROM evaluation_value_rollup_runs WHERE tenant_id = p_tenant;
    RETURN;
  END IF;
  WITH taken AS (DELETE FROM evaluation_value_pending WHERE tenant_id = p_tenant RETURNING 1)
  INSERT INTO evaluation_value_rollups (tenant_id, run_id, day, unit_id, channel, tier, lifecycle, rule_class, total, score_sum, score_1, score_2, score_3, score_4, score_5, unrated, excluded)
  SELECT f.tenant_id, v_run, f.day, f.unit_id, f.channel, cv.tier, cv.lifecycle, cv.rule_class,
         sum(f.counted), coalesce(sum(f.counted * f.score), 0),
         coalesce(sum(f.counted) FILTER (WHERE f.score = 1), 0), coalesce(sum(f.counted) FILTER (WHERE f.score = 2), 0),
         coalesce(sum(f.counted) FILTER (WHERE f.score = 3), 0), coalesce(sum(f.counted) FILTER (WHERE f.score = 4), 0),
         coalesce(sum(f.counted) FILTER (WHERE f.score = 5), 0), coalesce(sum(f.counted) FILTER (WHERE f.score IS NULL), 0),
         sum(f.excl)
  FROM (
    SELECT e.tenant_id, e.customer_id, (e.occurred_at AT TIME ZONE t.time_zone)::date AS day, e.unit_id, e.channel, e.score,
           CASE WHEN coalesce(x.is_excluded, false) THEN 0 ELSE 1 END AS counted,
           CASE WHEN coalesce(x.is_excluded, false) THEN 1 ELSE 0 END AS excl
    FROM evaluations e
    JOIN tenants t ON t.id = e.tenant_id
    LEFT JOIN evaluation_exclusions x ON x.tenant_id = e.tenant_id AND x.evaluation_id = e.id
    WHERE e.tenant_id = p_tenant AND e.customer_id IS NOT NULL
  ) f
  LEFT JOIN customer_values cv ON cv.tenant_id = p_tenant AND cv.run_id = v_run AND cv.customer_id = f.customer_id
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
  INSERT INTO evaluation_value_rollup_runs (tenant_id, run_id, finished_at) VALUES (p_tenant, v_run, v_finished)
  ON CONFLICT (tenant_id) DO UPDATE SET run_id = excluded.run_id, finished_at = excluded.finished_at;
END;
$$;
--> statement-breakpoint
-- The rebuild (npm run rollups:rebuild, rebuildEvaluationRollups): every tenant's cut (or one's) from the facts.
CREATE FUNCTION evaluation_value_rollups_rebuild(p_tenant uuid DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM evaluation_value_rollups_recompute(t.id) FROM tenants t WHERE p_tenant IS NULL OR t.id = p_tenant;
END;
$$;
--> statement-breakpoint
-- Existing tenants: their cut for their latest finished run, from the facts.
SELECT evaluation_value_rollups_rebuild();
