CREATE TABLE "queue_alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"outlet_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"value" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"cleared_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "queue_business_types" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"outlet_id" uuid NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "queue_counter_types" (
	"tenant_id" uuid NOT NULL,
	"counter_id" uuid NOT NULL,
	"type_id" uuid NOT NULL,
	CONSTRAINT "queue_counter_types_counter_id_type_id_pk" PRIMARY KEY("counter_id","type_id")
);
--> statement-breakpoint
CREATE TABLE "queue_day_numbers" (
	"tenant_id" uuid NOT NULL,
	"type_id" uuid NOT NULL,
	"day" date NOT NULL,
	"last_no" integer NOT NULL,
	CONSTRAINT "queue_day_numbers_type_id_day_pk" PRIMARY KEY("type_id","day")
);
--> statement-breakpoint
CREATE TABLE "queue_display_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"outlet_id" uuid NOT NULL,
	"code_hash" text NOT NULL,
	"device_name" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "queue_displays" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"outlet_id" uuid NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "queue_settings" (
	"tenant_id" uuid NOT NULL,
	"outlet_id" uuid NOT NULL,
	"opens_at" text DEFAULT '09:00' NOT NULL,
	"closes_at" text DEFAULT '17:00' NOT NULL,
	"link_token" text NOT NULL,
	"vip_tiers" text[] DEFAULT '{}'::text[] NOT NULL,
	"max_vip_in_row" integer DEFAULT 3 NOT NULL,
	"alert_queue_length" integer,
	"alert_wait_minutes" integer,
	"notices" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "queue_settings_tenant_id_outlet_id_pk" PRIMARY KEY("tenant_id","outlet_id")
);
--> statement-breakpoint
CREATE TABLE "queue_ticket_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"counter_id" uuid,
	"staff_id" uuid,
	"data" jsonb
);
--> statement-breakpoint
CREATE TABLE "queue_tickets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"outlet_id" uuid NOT NULL,
	"taken_type_id" uuid NOT NULL,
	"type_id" uuid NOT NULL,
	"day" date NOT NULL,
	"seq" integer NOT NULL,
	"number" text NOT NULL,
	"status" text NOT NULL,
	"is_vip" boolean DEFAULT false NOT NULL,
	"customer_id" uuid,
	"channel" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"taken_at" timestamp with time zone NOT NULL,
	"queued_at" timestamp with time zone NOT NULL,
	"first_called_at" timestamp with time zone,
	"called_at" timestamp with time zone,
	"counter_id" uuid,
	"staff_id" uuid,
	"target_counter_id" uuid,
	"session_id" uuid,
	"skip_count" smallint DEFAULT 0 NOT NULL,
	"call_count" smallint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "queue_alerts" ADD CONSTRAINT "queue_alerts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_alerts" ADD CONSTRAINT "queue_alerts_outlet_id_org_units_id_fk" FOREIGN KEY ("outlet_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_business_types" ADD CONSTRAINT "queue_business_types_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_business_types" ADD CONSTRAINT "queue_business_types_outlet_id_org_units_id_fk" FOREIGN KEY ("outlet_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_counter_types" ADD CONSTRAINT "queue_counter_types_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_counter_types" ADD CONSTRAINT "queue_counter_types_counter_id_org_units_id_fk" FOREIGN KEY ("counter_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_counter_types" ADD CONSTRAINT "queue_counter_types_type_id_queue_business_types_id_fk" FOREIGN KEY ("type_id") REFERENCES "public"."queue_business_types"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_day_numbers" ADD CONSTRAINT "queue_day_numbers_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_day_numbers" ADD CONSTRAINT "queue_day_numbers_type_id_queue_business_types_id_fk" FOREIGN KEY ("type_id") REFERENCES "public"."queue_business_types"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_display_codes" ADD CONSTRAINT "queue_display_codes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_display_codes" ADD CONSTRAINT "queue_display_codes_outlet_id_org_units_id_fk" FOREIGN KEY ("outlet_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_display_codes" ADD CONSTRAINT "queue_display_codes_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_displays" ADD CONSTRAINT "queue_displays_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_displays" ADD CONSTRAINT "queue_displays_outlet_id_org_units_id_fk" FOREIGN KEY ("outlet_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_displays" ADD CONSTRAINT "queue_displays_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_settings" ADD CONSTRAINT "queue_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_settings" ADD CONSTRAINT "queue_settings_outlet_id_org_units_id_fk" FOREIGN KEY ("outlet_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_settings" ADD CONSTRAINT "queue_settings_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_ticket_events" ADD CONSTRAINT "queue_ticket_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_ticket_events" ADD CONSTRAINT "queue_ticket_events_ticket_id_queue_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."queue_tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_ticket_events" ADD CONSTRAINT "queue_ticket_events_counter_id_org_units_id_fk" FOREIGN KEY ("counter_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_ticket_events" ADD CONSTRAINT "queue_ticket_events_staff_id_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_tickets" ADD CONSTRAINT "queue_tickets_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_tickets" ADD CONSTRAINT "queue_tickets_outlet_id_org_units_id_fk" FOREIGN KEY ("outlet_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_tickets" ADD CONSTRAINT "queue_tickets_taken_type_id_queue_business_types_id_fk" FOREIGN KEY ("taken_type_id") REFERENCES "public"."queue_business_types"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_tickets" ADD CONSTRAINT "queue_tickets_type_id_queue_business_types_id_fk" FOREIGN KEY ("type_id") REFERENCES "public"."queue_business_types"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_tickets" ADD CONSTRAINT "queue_tickets_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_tickets" ADD CONSTRAINT "queue_tickets_counter_id_org_units_id_fk" FOREIGN KEY ("counter_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_tickets" ADD CONSTRAINT "queue_tickets_staff_id_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_tickets" ADD CONSTRAINT "queue_tickets_target_counter_id_org_units_id_fk" FOREIGN KEY ("target_counter_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "queue_alerts_open_uq" ON "queue_alerts" USING btree ("outlet_id","kind") WHERE "queue_alerts"."cleared_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "queue_business_types_prefix_uq" ON "queue_business_types" USING btree ("tenant_id","outlet_id","prefix");--> statement-breakpoint
CREATE INDEX "queue_counter_types_type_idx" ON "queue_counter_types" USING btree ("type_id");--> statement-breakpoint
CREATE UNIQUE INDEX "queue_display_codes_hash_uq" ON "queue_display_codes" USING btree ("code_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "queue_displays_token_uq" ON "queue_displays" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "queue_displays_outlet_idx" ON "queue_displays" USING btree ("tenant_id","outlet_id");--> statement-breakpoint
CREATE UNIQUE INDEX "queue_settings_link_uq" ON "queue_settings" USING btree ("link_token");--> statement-breakpoint
CREATE INDEX "queue_ticket_events_ticket_idx" ON "queue_ticket_events" USING btree ("ticket_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "queue_tickets_number_uq" ON "queue_tickets" USING btree ("taken_type_id","day","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "queue_tickets_idem_uq" ON "queue_tickets" USING btree ("tenant_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "queue_tickets_waiting_idx" ON "queue_tickets" USING btree ("type_id","queued_at") WHERE "queue_tickets"."status" = 'waiting';--> statement-breakpoint
CREATE INDEX "queue_tickets_outlet_day_idx" ON "queue_tickets" USING btree ("tenant_id","outlet_id","day");--> statement-breakpoint
CREATE INDEX "queue_tickets_session_idx" ON "queue_tickets" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "queue_tickets_counter_idx" ON "queue_tickets" USING btree ("counter_id","called_at");--> statement-breakpoint
-- Custom SQL: the ticket event log is append-only (DESIGN §4.4 "every state change of a ticket is an append-only
-- event"): UPDATE, DELETE and TRUNCATE of queue_ticket_events fail, whoever runs them.
CREATE FUNCTION queue_ticket_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'queue_ticket_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER queue_ticket_events_no_update_delete BEFORE UPDATE OR DELETE ON queue_ticket_events
  FOR EACH ROW EXECUTE FUNCTION queue_ticket_events_append_only();
--> statement-breakpoint
CREATE TRIGGER queue_ticket_events_no_truncate BEFORE TRUNCATE ON queue_ticket_events
  FOR EACH STATEMENT EXECUTE FUNCTION queue_ticket_events_append_only();
