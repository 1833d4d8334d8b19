-- Two read-model triggers (0040) that build their upserts as dynamic SQL — parsed and planned on every statement —
-- now return at once, through a static check whose plan PL/pgSQL caches, when an UPDATE changed none of the columns
-- they count: a session's end (ended_at, handling time) moves no hourly flow; a task's note, script or contact
-- fields move no task figure. The filter is the one their UPDATE source already applies, so the rows are the same.
CREATE OR REPLACE FUNCTION session_hour_rollups_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  src text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    src := 'SELECT n.*, 1 AS sign FROM new_rows n';
  ELSE
    IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
                    WHERE (o.started_at, o.outlet_id) IS DISTINCT FROM (n.started_at, n.outlet_id)) THEN
      RETURN NULL;
    END IF;
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
CREATE OR REPLACE FUNCTION followup_task_rollups_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  src text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    src := 'SELECT n.*, 1 AS sign FROM new_rows n';
  ELSIF TG_OP = 'DELETE' THEN
    src := 'SELECT o.*, -1 AS sign FROM old_rows o';
  ELSE
    IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
                    WHERE (o.due_from, o.due_until, o.unit_id, o.assignee_id, o.plan_id, o.state, o.attempts,
                           o.reached_attempts, o.last_outcome, o.completed_at)
                          IS DISTINCT FROM (n.due_from, n.due_until, n.unit_id, n.assignee_id, n.plan_id, n.state,
                                            n.attempts, n.reached_attempts, n.last_outcome, n.completed_at)) THEN
      RETURN NULL;
    END IF;
    src := $s$
      SELECT m.* FROM old_rows o JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
      CROSS JOIN LATERAL (SELECT o.*, -1 AS sign UNION ALL SELECT n.*, 1) m
      WHERE (o.due_from, o.due_until, o.unit_id, o.assignee_id, o.plan_id, o.state, o.attempts, o.reached_attempts,
             o.last_outcome, o.completed_at)
            IS DISTINCT FROM (n.due_from, n.due_until, n.unit_id, n.assignee_id, n.plan_id, n.state, n.attempts,
                              n.reached_attempts, n.last_outcome, n.completed_at)$s$;
  END IF;
  EXECUTE followup_task_rollups_upsert(src);
  EXECUTE followup_task_month_rollups_upsert(src);
  RETURN NULL;
END;
$$;
