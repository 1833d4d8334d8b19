-- ticket_status_counts (0040) kept by static statements instead of one dynamic EXECUTE: PL/pgSQL caches the plan of a
-- static statement for the session, while EXECUTE parsed and planned the upsert on every statement that touched
-- tickets — including every UPDATE that changes no unit, staff or status (a note, an SLA mark, the SLA job's writes),
-- which then upserted nothing. Same rows, same order (tenant, unit, staff, status), same deltas. The rebuild
-- (dashboard_rollups_rebuild) still builds its one statement with ticket_status_counts_upsert().
CREATE OR REPLACE FUNCTION ticket_status_counts_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO ticket_status_counts AS r (tenant_id, unit_id, staff_id, status, tickets)
    SELECT n.tenant_id, n.unit_id, n.staff_id, n.status, count(*)
      FROM new_rows n GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT ticket_status_counts_key_uq DO UPDATE SET tickets = r.tickets + excluded.tickets;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO ticket_status_counts AS r (tenant_id, unit_id, staff_id, status, tickets)
    SELECT o.tenant_id, o.unit_id, o.staff_id, o.status, -count(*)
      FROM old_rows o GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT ticket_status_counts_key_uq DO UPDATE SET tickets = r.tickets + excluded.tickets;
  ELSE
    INSERT INTO ticket_status_counts AS r (tenant_id, unit_id, staff_id, status, tickets)
    SELECT m.tenant_id, m.unit_id, m.staff_id, m.status, sum(m.sign)
      FROM old_rows o
      JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
      CROSS JOIN LATERAL (VALUES (o.tenant_id, o.unit_id, o.staff_id, o.status, -1),
                                 (n.tenant_id, n.unit_id, n.staff_id, n.status, 1)) m(tenant_id, unit_id, staff_id, status, sign)
     WHERE (o.unit_id, o.staff_id, o.status) IS DISTINCT FROM (n.unit_id, n.staff_id, n.status)
     GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT ticket_status_counts_key_uq DO UPDATE SET tickets = r.tickets + excluded.tickets;
  END IF;
  RETURN NULL;
END;
$$;
