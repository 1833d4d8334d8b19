CREATE TABLE "ticket_rollup_keys" (
	"tenant_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"staff_id" uuid,
	"category" text NOT NULL,
	"priority" text NOT NULL,
	"fault_decision" text,
	CONSTRAINT "ticket_rollup_keys_tenant_id_ticket_id_pk" PRIMARY KEY("tenant_id","ticket_id")
);
--> statement-breakpoint
CREATE TABLE "ticket_rollups" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"unit_id" uuid NOT NULL,
	"staff_id" uuid,
	"category" text NOT NULL,
	"priority" text NOT NULL,
	"received" integer DEFAULT 0 NOT NULL,
	"resolved" integer DEFAULT 0 NOT NULL,
	"resolution_minutes" bigint DEFAULT 0 NOT NULL,
	"closed" integer DEFAULT 0 NOT NULL,
	"reopened" integer DEFAULT 0 NOT NULL,
	"sla_breaches" integer DEFAULT 0 NOT NULL,
	"at_fault" integer DEFAULT 0 NOT NULL,
	"no_fault" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "ticket_rollups_key_uq" UNIQUE NULLS NOT DISTINCT("tenant_id","day","unit_id","staff_id","category","priority")
);
--> statement-breakpoint
CREATE TABLE "counter_potential_customers" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"outlet_id" uuid NOT NULL,
	"counter_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"customer_source" text NOT NULL,
	"flagged_at" timestamp with time zone NOT NULL,
	CONSTRAINT "counter_potential_customers_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "counter_potential_source_ck" CHECK ("counter_potential_customers"."customer_source" in ('linked', 'matched', 'created'))
);
--> statement-breakpoint
ALTER TABLE "counter_potential_customers" ADD CONSTRAINT "counter_potential_customers_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "counter_potential_customers" ADD CONSTRAINT "counter_potential_customers_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "counter_potential_customers" ADD CONSTRAINT "counter_potential_customers_outlet_id_org_units_id_fk" FOREIGN KEY ("outlet_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "counter_potential_customers" ADD CONSTRAINT "counter_potential_customers_counter_id_org_units_id_fk" FOREIGN KEY ("counter_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "counter_potential_customers" ADD CONSTRAINT "counter_potential_customers_staff_id_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "counter_potential_session_uq" ON "counter_potential_customers" USING btree ("tenant_id","session_id");--> statement-breakpoint
CREATE INDEX "counter_potential_outlet_idx" ON "counter_potential_customers" USING btree ("tenant_id","outlet_id","flagged_at");--> statement-breakpoint
CREATE INDEX "counter_potential_customer_idx" ON "counter_potential_customers" USING btree ("customer_id");