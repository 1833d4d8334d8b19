CREATE TABLE "tenant_data_quality" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"valid_required" text[] DEFAULT '{"name","phones"}' NOT NULL,
	"completeness_fields" text[] DEFAULT '{"name","phones","gender","birthday","address","email","source","intentLevel","tier","ownerId"}' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tenant_data_quality" ADD CONSTRAINT "tenant_data_quality_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customers_tenant_name_idx" ON "customers" USING btree ("tenant_id","name");