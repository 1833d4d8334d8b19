ALTER TABLE "tickets" ADD COLUMN "sla_stale" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sla_breached" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "tickets_sla_stale_idx" ON "tickets" USING btree ("tenant_id","id") WHERE "tickets"."sla_stale";--> statement-breakpoint
-- Tickets that ever breached a target: what 员工投诉指标 looked up in ticket_events per ticket.
UPDATE "tickets" t SET "sla_breached" = true
WHERE t.sla_state = 'breached'
   OR EXISTS (SELECT 1 FROM ticket_events e WHERE e.tenant_id = t.tenant_id AND e.ticket_id = t.id AND e.type = 'sla_breached');--> statement-breakpoint
-- Tickets whose events changed since their SLA cache was derived: what the SLA job's per-ticket probe of
-- ticket_events found until now.
UPDATE "tickets" t SET "sla_stale" = true
WHERE EXISTS (SELECT 1 FROM ticket_events e WHERE e.tenant_id = t.tenant_id AND e.ticket_id = t.id AND e.id > t.sla_event_id);--> statement-breakpoint
-- Every event marks its ticket stale in the inserting transaction (which already holds the ticket's row: the writers
-- update the ticket before they append), so the SLA job finds it by tickets_sla_stale_idx.
CREATE OR REPLACE FUNCTION ticket_events_mark_sla_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE tickets SET sla_stale = true
  WHERE tenant_id = NEW.tenant_id AND id = NEW.ticket_id AND NOT sla_stale;
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER ticket_events_mark_sla_stale AFTER INSERT ON ticket_events
  FOR EACH ROW EXECUTE FUNCTION ticket_events_mark_sla_stale();
