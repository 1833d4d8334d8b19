CREATE TABLE "contact_events" (
	"id" bigserial NOT NULL,
	"tenant_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"channel" text NOT NULL,
	"ref_type" text,
	"ref_id" uuid,
	CONSTRAINT "contact_events_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "followup_attempts" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"task_id" uuid NOT NULL,
	"plan_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"by_user_id" uuid,
	"at" timestamp with time zone NOT NULL,
	"channel" text NOT NULL,
	"reached_whom" text,
	"contact_name" text,
	"outcome" text NOT NULL,
	"notes" text,
	"satisfaction" smallint,
	"answers" jsonb,
	"evaluation_id" uuid,
	"is_abnormal" boolean DEFAULT false NOT NULL,
	"abnormal_note" text,
	"next_action" text,
	"next_followup_date" date,
	CONSTRAINT "followup_attempts_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "followup_plans" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"name" text NOT NULL,
	"topic" text NOT NULL,
	"methods" text[] DEFAULT '{}' NOT NULL,
	"target_kind" text NOT NULL,
	"saved_filter_id" uuid,
	"customer_ids" uuid[] DEFAULT '{}' NOT NULL,
	"rule" jsonb,
	"script" text DEFAULT '' NOT NULL,
	"survey_id" uuid,
	"start_date" date NOT NULL,
	"due_days" integer DEFAULT 7 NOT NULL,
	"assignment" text NOT NULL,
	"assign_unit_id" uuid,
	"assignee_id" uuid,
	"max_attempts" integer DEFAULT 3 NOT NULL,
	"retry_hours" integer DEFAULT 4 NOT NULL,
	"contact_from_hour" smallint DEFAULT 9 NOT NULL,
	"contact_to_hour" smallint DEFAULT 21 NOT NULL,
	"min_gap_days" integer DEFAULT 7 NOT NULL,
	"budget_fen" bigint,
	"gift_name" text,
	"gift_fen" bigint,
	"next_followup_days" integer,
	"status" text DEFAULT 'draft' NOT NULL,
	"activated_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "followup_plans_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "followup_task_events" (
	"id" bigserial NOT NULL,
	"tenant_id" uuid NOT NULL,
	"task_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_id" uuid,
	"from_state" text,
	"to_state" text,
	"data" jsonb,
	CONSTRAINT "followup_task_events_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "followup_tasks" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"plan_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"occurrence_key" text NOT NULL,
	"unit_id" uuid NOT NULL,
	"assignee_id" uuid,
	"team_unit_id" uuid,
	"claimed_by" uuid,
	"claimed_at" timestamp with time zone,
	"executed_by" uuid,
	"state" text DEFAULT 'pending' NOT NULL,
	"due_from" timestamp with time zone NOT NULL,
	"due_until" timestamp with time zone NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"reached_attempts" integer DEFAULT 0 NOT NULL,
	"last_outcome" text,
	"satisfaction" smallint,
	"service_record_id" uuid,
	"source_task_id" uuid,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "followup_tasks_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "staff_absences" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"delegate_id" uuid NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"note" text,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "staff_absences_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "contact_events" ADD CONSTRAINT "contact_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_events" ADD CONSTRAINT "contact_events_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followup_attempts" ADD CONSTRAINT "followup_attempts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followup_attempts" ADD CONSTRAINT "followup_attempts_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followup_attempts" ADD CONSTRAINT "followup_attempts_unit_id_org_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followup_attempts" ADD CONSTRAINT "followup_attempts_by_user_id_users_id_fk" FOREIGN KEY ("by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followup_attempts" ADD CONSTRAINT "followup_attempts_tenant_id_task_id_followup_tasks_tenant_id_id_fk" FOREIGN KEY ("tenant_id","task_id") REFERENCES "public"."followup_tasks"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followup_plans" ADD CONSTRAINT "followup_plans_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followup_plans" ADD CONSTRAINT "followup_plans_unit_id_org_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followup_plans" ADD CONSTRAINT "followup_plans_assign_unit_id_org_units_id_fk" FOREIGN KEY ("assign_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followup_plans" ADD CONSTRAINT "followup_plans_assignee_id_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followup_plans" ADD CONSTRAINT "followup_plans_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followup_task_events" ADD CONSTRAINT "followup_task_events_tenant_id_task_id_followup_tasks_tenant_id_id_fk" FOREIGN KEY ("tenant_id","task_id") REFERENCES "public"."followup_tasks"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followup_tasks" ADD CONSTRAINT "followup_tasks_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followup_tasks" ADD CONSTRAINT "followup_tasks_tenant_id_plan_id_followup_plans_tenant_id_id_fk" FOREIGN KEY ("tenant_id","plan_id") REFERENCES "public"."followup_plans"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_absences" ADD CONSTRAINT "staff_absences_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_absences" ADD CONSTRAINT "staff_absences_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_absences" ADD CONSTRAINT "staff_absences_delegate_id_users_id_fk" FOREIGN KEY ("delegate_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_absences" ADD CONSTRAINT "staff_absences_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contact_events_customer_idx" ON "contact_events" USING btree ("tenant_id","customer_id","at");--> statement-breakpoint
CREATE INDEX "followup_attempts_task_idx" ON "followup_attempts" USING btree ("tenant_id","task_id","at");--> statement-breakpoint
CREATE INDEX "followup_attempts_customer_idx" ON "followup_attempts" USING btree ("tenant_id","customer_id","at");--> statement-breakpoint
CREATE INDEX "followup_plans_unit_idx" ON "followup_plans" USING btree ("tenant_id","unit_id");--> statement-breakpoint
CREATE INDEX "followup_plans_status_idx" ON "followup_plans" USING btree ("tenant_id","status");--> statement-breakpoint
CREATE INDEX "followup_task_events_task_idx" ON "followup_task_events" USING btree ("tenant_id","task_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "followup_tasks_occurrence_uq" ON "followup_tasks" USING btree ("tenant_id","plan_id","customer_id","occurrence_key");--> statement-breakpoint
CREATE INDEX "followup_tasks_assignee_idx" ON "followup_tasks" USING btree ("tenant_id","assignee_id","state","due_until");--> statement-breakpoint
CREATE INDEX "followup_tasks_unit_idx" ON "followup_tasks" USING btree ("tenant_id","unit_id","state");--> statement-breakpoint
CREATE INDEX "followup_tasks_customer_idx" ON "followup_tasks" USING btree ("tenant_id","customer_id");--> statement-breakpoint
CREATE INDEX "staff_absences_user_idx" ON "staff_absences" USING btree ("tenant_id","user_id","starts_on");--> statement-breakpoint
-- The task log is append-only (DESIGN §5: every task change is a log row). The one DELETE allowed is the cascade of
-- erasing a customer (deletion request / merge), which runs with `huifang.customer_relink = on` (see migration 0007).
CREATE OR REPLACE FUNCTION followup_task_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND coalesce(current_setting('huifang.customer_relink', true), '') = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER followup_task_events_no_update_delete BEFORE UPDATE OR DELETE ON followup_task_events
  FOR EACH ROW EXECUTE FUNCTION followup_task_events_append_only();
--> statement-breakpoint
CREATE TRIGGER followup_task_events_no_truncate BEFORE TRUNCATE ON followup_task_events
  FOR EACH STATEMENT EXECUTE FUNCTION followup_task_events_append_only();
