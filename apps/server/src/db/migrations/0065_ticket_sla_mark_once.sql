-- The SLA stale mark (0064) without a second UPDATE of the ticket when it is already marked. Every UPDATE statement
-- on tickets fires the statement trigger ticket_status_counts_update (0040), which plans and runs its dynamic upsert
-- even for zero rows: the mark's "UPDATE … WHERE NOT sla_stale" cost each ticket action ≈ 0.45 ms (+35 %,
-- bench/ticket-sla-trigger.ts). The writers of tickets/ticket-actions.ts set sla_stale in the update they make anyway;
-- the trigger now only looks, and updates for any other writer.
CREATE OR REPLACE FUNCTION ticket_events_mark_sla_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM tickets WHERE tenant_id = NEW.tenant_id AND id = NEW.ticket_id AND sla_stale) THEN
    UPDATE tickets SET sla_stale = true
    WHERE tenant_id = NEW.tenant_id AND id = NEW.ticket_id AND NOT sla_stale;
  END IF;
  RETURN NULL;
END;
$$;
