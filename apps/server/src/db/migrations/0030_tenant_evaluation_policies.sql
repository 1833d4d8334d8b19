CREATE TABLE "tenant_evaluation_policies" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"negative_score_max" smallint DEFAULT 2 NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "tenant_evaluation_policies_score_ck" CHECK ("tenant_evaluation_policies"."negative_score_max" between 1 and 4)
);
--> statement-breakpoint
ALTER TABLE "tenant_evaluation_policies" ADD CONSTRAINT "tenant_evaluation_policies_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;