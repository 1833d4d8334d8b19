CREATE TABLE "tenant_ticket_policies" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"auto_max_score" smallint DEFAULT 2 NOT NULL,
	"auto_priority" text DEFAULT 'normal' NOT NULL,
	"close_loop" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "tenant_ticket_policies_score_ck" CHECK ("tenant_ticket_policies"."auto_max_score" between 0 and 4),
	CONSTRAINT "tenant_ticket_policies_priority_ck" CHECK ("tenant_ticket_policies"."auto_priority" in ('urgent', 'high', 'normal', 'low'))
);
--> statement-breakpoint
CREATE TABLE "ticket_attachments" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"file_name" text NOT NULL,
	"mime_type" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"storage_path" text NOT NULL,
	"uploaded_by" uuid,
	"uploaded_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ticket_attachments_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "ticket_events" (
	"id" bigserial NOT NULL,
	"tenant_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"type" text NOT NULL,
	"actor_id" uuid,
	"at" timestamp with time zone NOT NULL,
	"from_status" text,
	"to_status" text,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "ticket_events_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "ticket_sla_policies" (
	"tenant_id" uuid NOT NULL,
	"priority" text NOT NULL,
	"first_response_minutes" integer NOT NULL,
	"resolution_minutes" integer NOT NULL,
	"warn_ratio" numeric(3, 2) DEFAULT 0.8 NOT NULL,
	"level_minutes" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "ticket_sla_policies_tenant_id_priority_pk" PRIMARY KEY("tenant_id","priority"),
	CONSTRAINT "ticket_sla_policies_priority_ck" CHECK ("ticket_sla_policies"."priority" in ('urgent', 'high', 'normal', 'low')),
	CONSTRAINT "ticket_sla_policies_minutes_ck" CHECK ("ticket_sla_policies"."first_response_minutes" > 0 and "ticket_sla_policies"."resolution_minutes" >= "ticket_sla_policies"."first_response_minutes"),
	CONSTRAINT "ticket_sla_policies_warn_ck" CHECK ("ticket_sla_policies"."warn_ratio" > 0 and "ticket_sla_policies"."warn_ratio" < 1)
);
--> statement-breakpoint
CREATE TABLE "tickets" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"seq" bigserial NOT NULL,
	"source" text NOT NULL,
	"source_evaluation_id" uuid,
	"source_feedback_id" uuid,
	"category" text DEFAULT 'other' NOT NULL,
	"priority" text DEFAULT 'normal' NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"customer_id" uuid,
	"staff_id" uuid,
	"unit_id" uuid NOT NULL,
	"assignee_id" uuid,
	"escalation_level" smallint DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'new' NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"first_responded_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"reopen_count" smallint DEFAULT 0 NOT NULL,
	"fault_decision" text,
	"first_response_due_at" timestamp with time zone,
	"resolution_due_at" timestamp with time zone,
	"sla_state" text DEFAULT 'ok' NOT NULL,
	"sla_event_id" bigint DEFAULT 0 NOT NULL,
	"sla_computed_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "tickets_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "tickets_status_ck" CHECK ("tickets"."status" in ('new', 'assigned', 'in_progress', 'waiting_customer', 'resolved', 'closed', 'reopened')),
	CONSTRAINT "tickets_priority_ck" CHECK ("tickets"."priority" in ('urgent', 'high', 'normal', 'low')),
	CONSTRAINT "tickets_source_ck" CHECK ("tickets"."source" in ('evaluation', 'feedback', 'manual')),
	CONSTRAINT "tickets_level_ck" CHECK ("tickets"."escalation_level" between 0 and 3),
	CONSTRAINT "tickets_sla_state_ck" CHECK ("tickets"."sla_state" in ('ok', 'warning', 'breached', 'paused', 'met')),
	CONSTRAINT "tickets_fault_ck" CHECK ("tickets"."fault_decision" is null or "tickets"."fault_decision" in ('at_fault', 'no_fault'))
);
--> statement-breakpoint
ALTER TABLE "tenant_ticket_policies" ADD CONSTRAINT "tenant_ticket_policies_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_attachments" ADD CONSTRAINT "ticket_attachments_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_attachments" ADD CONSTRAINT "ticket_attachments_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_events" ADD CONSTRAINT "ticket_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_events" ADD CONSTRAINT "ticket_events_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_sla_policies" ADD CONSTRAINT "ticket_sla_policies_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_staff_id_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_unit_id_org_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_assignee_id_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ticket_attachments_ticket_idx" ON "ticket_attachments" USING btree ("tenant_id","ticket_id");--> statement-breakpoint
CREATE INDEX "ticket_events_ticket_idx" ON "ticket_events" USING btree ("tenant_id","ticket_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_seq_uq" ON "tickets" USING btree ("seq");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_source_evaluation_uq" ON "tickets" USING btree ("tenant_id","source_evaluation_id") WHERE "tickets"."source_evaluation_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_source_feedback_uq" ON "tickets" USING btree ("tenant_id","source_feedback_id") WHERE "tickets"."source_feedback_id" is not null;--> statement-breakpoint
CREATE INDEX "tickets_unit_status_idx" ON "tickets" USING btree ("tenant_id","unit_id","status","created_at");--> statement-breakpoint
CREATE INDEX "tickets_assignee_idx" ON "tickets" USING btree ("tenant_id","assignee_id","status") WHERE "tickets"."assignee_id" is not null;--> statement-breakpoint
CREATE INDEX "tickets_staff_idx" ON "tickets" USING btree ("tenant_id","staff_id","created_at") WHERE "tickets"."staff_id" is not null;--> statement-breakpoint
CREATE INDEX "tickets_customer_idx" ON "tickets" USING btree ("tenant_id","customer_id","created_at") WHERE "tickets"."customer_id" is not null;--> statement-breakpoint
CREATE INDEX "tickets_open_sla_idx" ON "tickets" USING btree ("tenant_id","resolution_due_at") WHERE "tickets"."status" not in ('resolved', 'closed');--> statement-breakpoint
-- Custom SQL (not generated): the history of a ticket is append-only (DESIGN §6: every change is an event).
CREATE OR REPLACE FUNCTION ticket_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ticket_events_no_update_delete BEFORE UPDATE OR DELETE ON ticket_events
  FOR EACH ROW EXECUTE FUNCTION ticket_events_append_only();
--> statement-breakpoint
CREATE TRIGGER ticket_events_no_truncate BEFORE TRUNCATE ON ticket_events
  FOR EACH STATEMENT EXECUTE FUNCTION ticket_events_append_only();
