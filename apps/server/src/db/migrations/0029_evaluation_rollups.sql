CREATE TABLE "evaluation_rollups" (
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
	"excluded" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "evaluation_rollups_key_uq" UNIQUE NULLS NOT DISTINCT("tenant_id","day","unit_id","counter_id","staff_id","channel","business_type")
);
--> statement-breakpoint
CREATE TABLE "service_session_rollups" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"outlet_id" uuid NOT NULL,
	"counter_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"business_type" text NOT NULL,
	"sessions" integer DEFAULT 0 NOT NULL,
	"handled" integer DEFAULT 0 NOT NULL,
	"handling_sum" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "service_session_rollups_tenant_id_day_outlet_id_counter_id_staff_id_business_type_pk" PRIMARY KEY("tenant_id","day","outlet_id","counter_id","staff_id","business_type")
);
--> statement-breakpoint
-- Custom SQL below (not generated): the rule "the latest exclude/restore decides", the triggers that keep the rollups
-- in the same transaction as every write, and the rebuild that recomputes them from the facts.
--
-- The rule, once: an evaluation is excluded when its latest exclude/restore correction (by id) is an exclude.
-- Every figure (rollups, triggers, rebuild) and every fact-level read (evaluation list, session list) goes through
-- this view or the function over it; filters on (tenant_id, evaluation_id) are pushed into the DISTINCT ON.
CREATE VIEW evaluation_exclusions AS
  SELECT DISTINCT ON (c.tenant_id, c.evaluation_id) c.tenant_id, c.evaluation_id, c.kind = 'exclude' AS is_excluded
  FROM evaluation_corrections c
  WHERE c.kind IN ('exclude', 'restore')
  ORDER BY c.tenant_id, c.evaluation_id, c.id DESC;
--> statement-breakpoint
-- PL/pgSQL rather than SQL: its query plan is kept for the session, where an SQL function called per row would be
-- planned again in every statement that calls it.
CREATE FUNCTION evaluation_is_excluded(p_tenant uuid, p_evaluation uuid) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN coalesce((SELECT x.is_excluded FROM evaluation_exclusions x
                   WHERE x.tenant_id = p_tenant AND x.evaluation_id = p_evaluation), false);
END;
$$;
--> statement-breakpoint
-- Rollup keys: the local day in the tenant's time zone (tenants.time_zone, the same column lib/time.ts
-- tenantTimeZone() reads; a tenant that changes its zone needs `npm run rollups:rebuild`), and the business type of
-- the rated service session (kiosk evaluations reference it: ref_type = 'service_session'; sessions are never
-- deleted and their business type never changes). Each source row carries `counted` (+1/−1 on the counted side)
-- and `excl` (+1/−1 on the excluded side); one upsert per key adds them. The three copies of the aggregate below
-- (insert, corrections, rebuild) must stay alike: the property test (modules/evaluations/rollups.test.ts)
-- checks the triggers against the rebuild.
CREATE FUNCTION evaluation_rollups_on_evaluations() RETURNS trigger LANGUAGE plpgsql AS $$
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
          LEFT JOIN LATERAL (SELECT v.is_excluded FROM evaluation_exclusions v
                             WHERE v.tenant_id = n.tenant_id AND v.evaluation_id = n.id) v ON true) x
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
CREATE TRIGGER evaluation_rollups_insert AFTER INSERT ON evaluations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION evaluation_rollups_on_evaluations();
--> statement-breakpoint
-- UPDATE happens only under huifang.customer_relink (erasure, merge of customers), which clears the customer link
-- and free text. Migration 0007 already refuses a change of occurred_at, unit, channel or score; the rollup keys it
-- does not cover are refused here, so that the rollups never have to move an evaluation between keys.
CREATE FUNCTION evaluation_rollup_keys_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.counter_id, NEW.staff_id, NEW.ref_type, NEW.ref_id) IS DISTINCT FROM (OLD.counter_id, OLD.staff_id, OLD.ref_type, OLD.ref_id) THEN
    RAISE EXCEPTION 'evaluation rollup keys are immutable (counter, staff, ref)' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER evaluation_rollup_keys_fixed BEFORE UPDATE ON evaluations
  FOR EACH ROW EXECUTE FUNCTION evaluation_rollup_keys_fixed();
--> statement-breakpoint
-- A batch of corrections moves an evaluation between counted and excluded only when its effective state changes:
-- the state without this batch's rows against the state with them (repeated excludes, a restore of a counted one,
-- appeals and appeal_rejected move nothing). Serialised per evaluation with the advisory lock correctEvaluation()
-- takes, and decided on the snapshot after the lock, so that two concurrent batches cannot both move it.
CREATE FUNCTION evaluation_rollups_on_corrections() RETURNS trigger LANGUAGE plpgsql AS $$
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
      SELECT c.tenant_id, c.evaluation_id, evaluation_is_excluded(c.tenant_id, c.evaluation_id) AS is_excluded,
             coalesce((SELECT o.kind = 'exclude' FROM evaluation_corrections o
                       WHERE o.tenant_id = c.tenant_id AND o.evaluation_id = c.evaluation_id AND o.kind IN ('exclude', 'restore')
                         AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.tenant_id = o.tenant_id AND n.id = o.id)
                       ORDER BY o.id DESC LIMIT 1), false) AS was_excluded
      FROM (SELECT DISTINCT tenant_id, evaluation_id FROM new_rows WHERE kind IN ('exclude', 'restore')) c
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
CREATE TRIGGER evaluation_rollups_corrections AFTER INSERT ON evaluation_corrections
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION evaluation_rollups_on_corrections();
--> statement-breakpoint
-- Sessions per local day of their start: a new session adds one; its end (UPDATE setting handling_seconds) adds the
-- handling time. Other updates (rating_closed by the timeout sweep) change no figure and are skipped.
CREATE FUNCTION service_session_rollups_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO service_session_rollups AS r (tenant_id, day, outlet_id, counter_id, staff_id, business_type, sessions, handled, handling_sum)
  SELECT n.tenant_id, (n.started_at AT TIME ZONE t.time_zone)::date AS day, n.outlet_id, n.counter_id, n.staff_id, n.business_type,
         count(*), count(n.handling_seconds), coalesce(sum(n.handling_seconds), 0)
  FROM new_rows n JOIN tenants t ON t.id = n.tenant_id
  GROUP BY 1, 2, 3, 4, 5, 6
  ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (tenant_id, day, outlet_id, counter_id, staff_id, business_type) DO UPDATE SET
    sessions = r.sessions + excluded.sessions, handled = r.handled + excluded.handled,
    handling_sum = r.handling_sum + excluded.handling_sum;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION service_session_rollups_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO service_session_rollups AS r (tenant_id, day, outlet_id, counter_id, staff_id, business_type, sessions, handled, handling_sum)
  SELECT x.tenant_id, (x.started_at AT TIME ZONE t.time_zone)::date AS day, x.outlet_id, x.counter_id, x.staff_id, x.business_type,
         sum(x.sign), coalesce(sum(x.sign) FILTER (WHERE x.handling_seconds IS NOT NULL), 0),
         coalesce(sum(x.sign * x.handling_seconds), 0)
  FROM (
    SELECT m.* FROM old_rows o JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
    CROSS JOIN LATERAL (VALUES (o.tenant_id, o.started_at, o.outlet_id, o.counter_id, o.staff_id, o.business_type, o.handling_seconds, -1),
                               (n.tenant_id, n.started_at, n.outlet_id, n.counter_id, n.staff_id, n.business_type, n.handling_seconds, 1))
      AS m(tenant_id, started_at, outlet_id, counter_id, staff_id, business_type, handling_seconds, sign)
    WHERE (o.started_at, o.outlet_id, o.counter_id, o.staff_id, o.business_type, o.handling_seconds)
          IS DISTINCT FROM (n.started_at, n.outlet_id, n.counter_id, n.staff_id, n.business_type, n.handling_seconds)
  ) x
  JOIN tenants t ON t.id = x.tenant_id
  GROUP BY 1, 2, 3, 4, 5, 6
  ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (tenant_id, day, outlet_id, counter_id, staff_id, business_type) DO UPDATE SET
    sessions = r.sessions + excluded.sessions, handled = r.handled + excluded.handled,
    handling_sum = r.handling_sum + excluded.handling_sum;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER service_session_rollups_insert AFTER INSERT ON service_sessions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION service_session_rollups_on_insert();
--> statement-breakpoint
CREATE TRIGGER service_session_rollups_update AFTER UPDATE ON service_sessions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION service_session_rollups_on_update();
--> statement-breakpoint
-- Recompute the rollups of one tenant (or all) from the facts. Writers are held off meanwhile (SHARE locks wait for
-- open writing transactions and block new ones until the rebuild commits), so no write falls between the delete and
-- the recount. Used by this migration (backfill) and by `npm run rollups:rebuild` (e.g. after a time-zone change).
CREATE FUNCTION evaluation_rollups_rebuild(p_tenant uuid DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
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
-- Backfill from the facts already stored.
SELECT evaluation_rollups_rebuild();
