CREATE TABLE "followup_path_instances" (
	"tenant_id" uuid NOT NULL,
	"service_record_id" uuid NOT NULL,
	"template_id" uuid NOT NULL,
	"version_id" uuid NOT NULL,
	"plan_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"tasks" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "followup_path_instances_tenant_id_service_record_id_pk" PRIMARY KEY("tenant_id","service_record_id")
);
--> statement-breakpoint
CREATE TABLE "followup_path_templates" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"plan_id" uuid NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"current_version" integer DEFAULT 1 NOT NULL,
	"rules" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "followup_path_templates_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "followup_path_versions" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"template_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"points" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "followup_path_versions_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "followup_path_instances" ADD CONSTRAINT "followup_path_instances_service_record_id_service_records_id_fk" FOREIGN KEY ("service_record_id") REFERENCES "public"."service_records"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followup_path_instances" ADD CONSTRAINT "followup_path_instances_tenant_id_version_id_followup_path_versions_tenant_id_id_fk" FOREIGN KEY ("tenant_id","version_id") REFERENCES "public"."followup_path_versions"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followup_path_templates" ADD CONSTRAINT "followup_path_templates_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followup_path_templates" ADD CONSTRAINT "followup_path_templates_unit_id_org_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followup_path_templates" ADD CONSTRAINT "followup_path_templates_tenant_id_plan_id_followup_plans_tenant_id_id_fk" FOREIGN KEY ("tenant_id","plan_id") REFERENCES "public"."followup_plans"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followup_path_versions" ADD CONSTRAINT "followup_path_versions_tenant_id_template_id_followup_path_templates_tenant_id_id_fk" FOREIGN KEY ("tenant_id","template_id") REFERENCES "public"."followup_path_templates"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "followup_path_instances_version_idx" ON "followup_path_instances" USING btree ("tenant_id","version_id");--> statement-breakpoint
CREATE INDEX "followup_path_templates_status_idx" ON "followup_path_templates" USING btree ("tenant_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "followup_path_versions_template_uq" ON "followup_path_versions" USING btree ("tenant_id","template_id","version");