-- Custom SQL: the last read-model triggers that EXECUTEd a dynamic upsert — parsed and planned again on every
-- statement that counts (a session started or moved, a task created or worked, a task done, a ticket's daily counts
-- changed) — now run static statements, whose plans PL/pgSQL caches for the session, as 0067 did for
-- ticket_status_counts. Same rows, same order, same deltas, same early exits (0057, 0068).
--
-- One source for the SQL: the builders of 0040 / 0057 / 0058 / 0060 (session_hour_*_upsert, followup_task_*_upsert,
-- followup_done_rollups_upsert), which the rebuilds use too. rollup_triggers_make_static() writes each trigger
-- function with the builders' output for each branch pasted in as static text; a migration that changes a builder
-- calls it again (test/rollup-triggers-static.test.ts fails while a trigger's text differs from its builders').
-- The ticket tenant/month trigger (0062/0063) had its SQL inline; it gets the same two builders here.
CREATE FUNCTION ticket_rollups_tenant_upsert(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
  SELECT format($q$
    INSERT INTO ticket_rollups_tenant AS r (tenant_id, day, category, priority, received, resolved, resolution_minutes,
                                           closed, reopened, sla_breaches, at_fault, no_fault)
    SELECT d.tenant_id, d.day, d.category, d.priority, sum(d.sign * d.received), sum(d.sign * d.resolved),
           sum(d.sign * d.resolution_minutes), sum(d.sign * d.closed), sum(d.sign * d.reopened),
           sum(d.sign * d.sla_breaches), sum(d.sign * d.at_fault), sum(d.sign * d.no_fault)
    FROM (%s) d
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (tenant_id, day, category, priority) DO UPDATE SET
      received = r.received + excluded.received, resolved = r.resolved + excluded.resolved,
      resolution_minutes = r.resolution_minutes + excluded.resolution_minutes, closed = r.closed + excluded.closed,
      reopened = r.reopened + excluded.reopened, sla_breaches = r.sla_breaches + excluded.sla_breaches,
      at_fault = r.at_fault + excluded.at_fault, no_fault = r.no_fault + excluded.no_fault
  $q$, src)
$f$;
--> statement-breakpoint
CREATE FUNCTION ticket_rollups_month_upsert(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
  SELECT format($q$
    INSERT INTO ticket_rollups_month AS r (tenant_id, month, unit_id, staff_id, received, resolved, resolution_minutes,
                                          closed, reopened, sla_breaches, at_fault, no_fault)
    SELECT d.tenant_id, date_trunc('month', d.day)::date, d.unit_id, d.staff_id, sum(d.sign * d.received),
           sum(d.sign * d.resolved), sum(d.sign * d.resolution_minutes), sum(d.sign * d.closed),
           sum(d.sign * d.reopened), sum(d.sign * d.sla_breaches), sum(d.sign * d.at_fault), sum(d.sign * d.no_fault)
    FROM (%s) d
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT ticket_rollups_month_key_uq DO UPDATE SET
      received = r.received + excluded.received, resolved = r.resolved + excluded.resolved,
      resolution_minutes = r.resolution_minutes + excluded.resolution_minutes, closed = r.closed + excluded.closed,
      reopened = r.reopened + excluded.reopened, sla_breaches = r.sla_breaches + excluded.sla_breaches,
      at_fault = r.at_fault + excluded.at_fault, no_fault = r.no_fault + excluded.no_fault
  $q$, src)
$f$;
--> statement-breakpoint
-- The sources of each branch (the same texts the dynamic functions built), by trigger and operation.
CREATE FUNCTION rollup_trigger_sources() RETURNS TABLE (fn text, op text, src text) LANGUAGE sql IMMUTABLE AS $f$
  VALUES
    ('session_hour_rollups_on_change', 'INSERT', 'SELECT n.*, 1 AS sign FROM new_rows n'),
    ('session_hour_rollups_on_change', 'UPDATE', $s$
      SELECT m.* FROM old_rows o JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
      CROSS JOIN LATERAL (SELECT o.*, -1 AS sign UNION ALL SELECT n.*, 1) m
      WHERE (o.started_at, o.outlet_id) IS DISTINCT FROM (n.started_at, n.outlet_id)$s$),
    ('followup_task_rollups_on_change', 'INSERT', 'SELECT n.*, 1 AS sign FROM new_rows n'),
    ('followup_task_rollups_on_change', 'DELETE', 'SELECT o.*, -1 AS sign FROM old_rows o'),
    ('followup_task_rollups_on_change', 'UPDATE', $s$
      SELECT m.* FROM old_rows o JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
      CROSS JOIN LATERAL (SELECT o.*, -1 AS sign UNION ALL SELECT n.*, 1) m
      WHERE (o.due_from, o.due_until, o.unit_id, o.assignee_id, o.plan_id, o.state, o.attempts, o.reached_attempts,
             o.last_outcome, o.completed_at)
            IS DISTINCT FROM (n.due_from, n.due_until, n.unit_id, n.assignee_id, n.plan_id, n.state, n.attempts,
                              n.reached_attempts, n.last_outcome, n.completed_at)$s$),
    ('followup_done_rollups_on_change', 'INSERT', $s$SELECT n.*, 1 AS sign FROM new_rows n WHERE n.state = 'done'$s$),
    ('followup_done_rollups_on_change', 'DELETE', $s$SELECT o.*, -1 AS sign FROM old_rows o WHERE o.state = 'done'$s$),
    ('followup_done_rollups_on_change', 'UPDATE', $s$
      SELECT m.* FROM old_rows o JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
      CROSS JOIN LATERAL (SELECT o.*, -1 AS sign UNION ALL SELECT n.*, 1) m
      WHERE (o.state = 'done' OR n.state = 'done')
        AND (o.state, o.completed_at, o.unit_id, o.assignee_id, o.due_until)
            IS DISTINCT FROM (n.state, n.completed_at, n.unit_id, n.assignee_id, n.due_until)$s$),
    ('ticket_rollups_tenant_on_change', 'INSERT', 'SELECT n.*, 1 AS sign FROM new_rows n'),
    ('ticket_rollups_tenant_on_change', 'DELETE', 'SELECT o.*, -1 AS sign FROM old_rows o'),
    ('ticket_rollups_tenant_on_change', 'UPDATE', 'SELECT n.*, 1 AS sign FROM new_rows n UNION ALL SELECT o.*, -1 FROM old_rows o')
$f$;
--> statement-breakpoint
-- The statements a trigger runs for one operation, from the builders (what the dynamic functions EXECUTEd).
CREATE FUNCTION rollup_trigger_statements(p_fn text, p_op text) RETURNS text[] LANGUAGE plpgsql STABLE AS $f$
DECLARE
  s text := (SELECT src FROM rollup_trigger_sources() WHERE fn = p_fn AND op = p_op);
BEGIN
  IF s IS NULL THEN RAISE EXCEPTION 'no rollup trigger source for % %', p_fn, p_op; END IF;
  RETURN CASE p_fn
    WHEN 'session_hour_rollups_on_change' THEN ARRAY[session_hour_rollups_upsert(s), session_hour_tenant_rollups_upsert(s),
      session_hour_month_rollups_upsert(s, true), session_hour_month_rollups_upsert(s, false)]
    WHEN 'followup_task_rollups_on_change' THEN ARRAY[followup_task_rollups_upsert(s), followup_task_month_rollups_upsert(s)]
    WHEN 'followup_done_rollups_on_change' THEN ARRAY[followup_done_rollups_upsert(s, false), followup_done_rollups_upsert(s, true)]
    WHEN 'ticket_rollups_tenant_on_change' THEN ARRAY[ticket_rollups_tenant_upsert(s), ticket_rollups_month_upsert(s)]
  END;
END;
$f$;
--> statement-breakpoint
-- (Re)write the four trigger functions with static statements. Early exits as before: a session or task UPDATE that
-- changes no counted column (0068), a statement that touches no done task (0057).
CREATE FUNCTION rollup_triggers_make_static() RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
  fns text[] := ARRAY['session_hour_rollups_on_change', 'followup_task_rollups_on_change',
                      'followup_done_rollups_on_change', 'ticket_rollups_tenant_on_change'];
  f text;
  body text;
  ins text;
  del text;
  upd text;
  stmts text := E';\n    ';  -- between two statements of a branch
BEGIN
  FOREACH f IN ARRAY fns LOOP
    ins := (SELECT string_agg(btrim(x, E' \n'), stmts) FROM unnest(rollup_trigger_statements(f, 'INSERT')) x) || ';';
    upd := (SELECT string_agg(btrim(x, E' \n'), stmts) FROM unnest(rollup_trigger_statements(f, 'UPDATE')) x) || ';';
    del := CASE WHEN f = 'session_hour_rollups_on_change' THEN NULL
                ELSE (SELECT string_agg(btrim(x, E' \n'), stmts) FROM unnest(rollup_trigger_statements(f, 'DELETE')) x) || ';' END;
    IF f = 'session_hour_rollups_on_change' THEN
      upd := $x$IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
                    WHERE (o.started_at, o.outlet_id) IS DISTINCT FROM (n.started_at, n.outlet_id)) THEN
      RETURN NULL;
    END IF;
    $x$ || upd;
    ELSIF f = 'followup_task_rollups_on_change' THEN
      upd := $x$IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
                    WHERE (o.due_from, o.due_until, o.unit_id, o.assignee_id, o.plan_id, o.state, o.attempts,
                           o.reached_attempts, o.last_outcome, o.completed_at)
                          IS DISTINCT FROM (n.due_from, n.due_until, n.unit_id, n.assignee_id, n.plan_id, n.state,
                                            n.attempts, n.reached_attempts, n.last_outcome, n.completed_at)) THEN
      RETURN NULL;
    END IF;
    $x$ || upd;
    ELSIF f = 'followup_done_rollups_on_change' THEN
      ins := $x$IF NOT EXISTS (SELECT 1 FROM new_rows WHERE state = 'done') THEN RETURN NULL; END IF;
    $x$ || ins;
      del := $x$IF NOT EXISTS (SELECT 1 FROM old_rows WHERE state = 'done') THEN RETURN NULL; END IF;
    $x$ || del;
      upd := $x$IF NOT EXISTS (SELECT 1 FROM old_rows WHERE state = 'done') AND NOT EXISTS (SELECT 1 FROM new_rows WHERE state = 'done') THEN
      RETURN NULL;
    END IF;
    $x$ || upd;
    END IF;
    body := E'\nBEGIN\n  IF TG_OP = ''INSERT'' THEN\n    ' || ins
      || CASE WHEN del IS NULL THEN '' ELSE E'\n  ELSIF TG_OP = ''DELETE'' THEN\n    ' || del END
      || E'\n  ELSE\n    ' || upd || E'\n  END IF;\n  RETURN NULL;\nEND;\n';
    EXECUTE format('CREATE OR REPLACE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS %L', f, body);
  END LOOP;
END;
$f$;
--> statement-breakpoint
SELECT rollup_triggers_make_static();
