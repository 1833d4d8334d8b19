CREATE TABLE "session_hour_tenant_rollups" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"hour" smallint NOT NULL,
	"sessions" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "session_hour_tenant_rollups_tenant_id_day_hour_pk" PRIMARY KEY("tenant_id","day","hour")
);
--> statement-breakpoint
-- INCLUDE edited by hand (drizzle-kit does not write it): a subtree's edge days are an index-only scan.
CREATE INDEX "session_hour_rollups_outlet_idx" ON "session_hour_rollups" USING btree ("tenant_id","outlet_id","day") INCLUDE ("hour","sessions");
--> statement-breakpoint
-- Custom SQL below (not generated): 客流量 per tenant × local day × hour, kept by the same trigger as the outlet tables
-- (a fourth upsert over the same rows), rebuilt by dashboard_month_rollups_rebuild, backfilled here. The whole
-- tenant's heat map read the edge days of its range from session_hour_rollups: 58,000 rows for the first 5 days of a
-- month at the bench's scale, ~350,000 at a month's end.
CREATE FUNCTION session_hour_tenant_rollups_upsert(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
SELECT format($q$
  INSERT INTO session_hour_tenant_rollups AS r (tenant_id, day, hour, sessions)
  SELECT d.tenant_id, (d.started_at AT TIME ZONE tn.time_zone)::date,
         extract(hour FROM d.started_at AT TIME ZONE tn.time_zone)::smallint, sum(d.sign)
  FROM (%s) d JOIN tenants tn ON tn.id = d.tenant_id
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT (tenant_id, day, hour) DO UPDATE SET sessions = r.sessions + excluded.sessions
$q$, src)
$f$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION session_hour_rollups_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  src text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    src := 'SELECT n.*, 1 AS sign FROM new_rows n';
  ELSE
    src := $s$
      SELECT m.* FROM old_rows o JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
      CROSS JOIN LATERAL (SELECT o.*, -1 AS sign UNION ALL SELECT n.*, 1) m
      WHERE (o.started_at, o.outlet_id) IS DISTINCT FROM (n.started_at, n.outlet_id)$s$;
  END IF;
  EXECUTE session_hour_rollups_upsert(src);
  EXECUTE session_hour_tenant_rollups_upsert(src);
  EXECUTE session_hour_month_rollups_upsert(src, true);
  EXECUTE session_hour_month_rollups_upsert(src, false);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION dashboard_month_rollups_rebuild(p_tenant uuid DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE followup_tasks, service_sessions, tenants IN SHARE MODE;
  DELETE FROM followup_task_month_rollups WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  EXECUTE followup_task_month_rollups_upsert('SELECT f.*, 1 AS sign FROM followup_tasks f WHERE $1::uuid IS NULL OR f.tenant_id = $1') USING p_tenant;
  DELETE FROM session_hour_month_rollups WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  EXECUTE session_hour_month_rollups_upsert('SELECT s.*, 1 AS sign FROM service_sessions s WHERE $1::uuid IS NULL OR s.tenant_id = $1', true) USING p_tenant;
  DELETE FROM session_hour_tenant_month_rollups WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  EXECUTE session_hour_month_rollups_upsert('SELECT s.*, 1 AS sign FROM service_sessions s WHERE $1::uuid IS NULL OR s.tenant_id = $1', false) USING p_tenant;
  DELETE FROM session_hour_tenant_rollups WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  EXECUTE session_hour_tenant_rollups_upsert('SELECT s.*, 1 AS sign FROM service_sessions s WHERE $1::uuid IS NULL OR s.tenant_id = $1') USING p_tenant;
END;
$$;
--> statement-breakpoint
-- Backfill from the sessions already stored.
INSERT INTO session_hour_tenant_rollups (tenant_id, day, hour, sessions)
SELECT tenant_id, day, hour, sum(sessions) FROM session_hour_rollups GROUP BY 1, 2, 3 HAVING sum(sessions) <> 0;
