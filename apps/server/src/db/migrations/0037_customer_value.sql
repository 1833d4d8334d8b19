CREATE TABLE "customer_values" (
	"tenant_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"score" numeric(7, 2) NOT NULL,
	"expert_score" numeric(5, 2),
	"rule_class" text,
	"tier" text,
	"lifecycle" text NOT NULL,
	"r" smallint,
	"f" smallint,
	"m" smallint,
	"stars" smallint NOT NULL,
	"sales_fen" bigint NOT NULL,
	"prev_sales_fen" bigint NOT NULL,
	"batches" integer NOT NULL,
	"returns_fen" bigint NOT NULL,
	"payments_fen" bigint NOT NULL,
	"prev_payments_fen" bigint NOT NULL,
	"debt_fen" bigint NOT NULL,
	"days_since_order" integer,
	"is_new" boolean NOT NULL,
	"manager_rating" numeric,
	"recent_fen" bigint NOT NULL,
	"prior_fen" bigint NOT NULL,
	CONSTRAINT "customer_values_tenant_id_run_id_customer_id_pk" PRIMARY KEY("tenant_id","run_id","customer_id")
);
--> statement-breakpoint
CREATE TABLE "value_churn_warnings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"days_since_order" integer,
	"drop_pct" numeric(7, 2),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "value_expert_scores" (
	"tenant_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"scores" jsonb NOT NULL,
	"set_by" uuid,
	"set_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "value_expert_scores_tenant_id_customer_id_pk" PRIMARY KEY("tenant_id","customer_id")
);
--> statement-breakpoint
CREATE TABLE "value_model_versions" (
	"tenant_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"config" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "value_model_versions_tenant_id_version_pk" PRIMARY KEY("tenant_id","version")
);
--> statement-breakpoint
CREATE TABLE "value_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"tenant_id" uuid NOT NULL,
	"model_version" integer NOT NULL,
	"trigger" text NOT NULL,
	"schedule_key" text,
	"status" text DEFAULT 'queued' NOT NULL,
	"requested_by" uuid,
	"as_of" timestamp with time zone NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	"processed" integer DEFAULT 0 NOT NULL,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error_message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "value_star_overrides" (
	"tenant_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"stars" smallint NOT NULL,
	"reason" text NOT NULL,
	"set_by" uuid,
	"set_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "value_star_overrides_tenant_id_customer_id_pk" PRIMARY KEY("tenant_id","customer_id")
);
--> statement-breakpoint
ALTER TABLE "value_expert_scores" ADD CONSTRAINT "value_expert_scores_set_by_users_id_fk" FOREIGN KEY ("set_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "value_model_versions" ADD CONSTRAINT "value_model_versions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "value_model_versions" ADD CONSTRAINT "value_model_versions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "value_runs" ADD CONSTRAINT "value_runs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "value_runs" ADD CONSTRAINT "value_runs_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "value_star_overrides" ADD CONSTRAINT "value_star_overrides_set_by_users_id_fk" FOREIGN KEY ("set_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customer_values_customer_idx" ON "customer_values" USING btree ("tenant_id","customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "value_churn_warnings_open_uq" ON "value_churn_warnings" USING btree ("tenant_id","customer_id") WHERE "value_churn_warnings"."resolved_at" is null;--> statement-breakpoint
CREATE INDEX "value_churn_warnings_tenant_idx" ON "value_churn_warnings" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "value_runs_tenant_idx" ON "value_runs" USING btree ("tenant_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "value_runs_active_uq" ON "value_runs" USING btree ("tenant_id") WHERE "value_runs"."status" in ('queued', 'running');--> statement-breakpoint
CREATE UNIQUE INDEX "value_runs_schedule_uq" ON "value_runs" USING btree ("tenant_id","schedule_key");