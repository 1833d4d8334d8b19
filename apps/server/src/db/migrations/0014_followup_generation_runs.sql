CREATE TABLE "followup_generation_runs" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"plan_id" uuid NOT NULL,
	"rule_kind" text,
	"occurrence" text NOT NULL,
	"actor_id" uuid,
	"at" timestamp with time zone NOT NULL,
	"created" integer NOT NULL,
	CONSTRAINT "followup_generation_runs_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "followup_tasks" DROP CONSTRAINT "followup_tasks_customer_id_customers_id_fk";
--> statement-breakpoint
ALTER TABLE "followup_tasks" DROP CONSTRAINT "followup_tasks_tenant_id_plan_id_followup_plans_tenant_id_id_fk";
--> statement-breakpoint
DROP INDEX "followup_tasks_occurrence_uq";--> statement-breakpoint
DROP INDEX "followup_tasks_customer_idx";--> statement-breakpoint
ALTER TABLE "followup_tasks" ADD COLUMN "created_by_run" uuid;--> statement-breakpoint
ALTER TABLE "followup_generation_runs" ADD CONSTRAINT "followup_generation_runs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followup_generation_runs" ADD CONSTRAINT "followup_generation_runs_tenant_id_plan_id_followup_plans_tenant_id_id_fk" FOREIGN KEY ("tenant_id","plan_id") REFERENCES "public"."followup_plans"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "followup_generation_runs_plan_idx" ON "followup_generation_runs" USING btree ("tenant_id","plan_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "followup_tasks_customer_occurrence_uq" ON "followup_tasks" USING btree ("tenant_id","customer_id","plan_id","occurrence_key");--> statement-breakpoint
-- Generation writes one followup_generation_runs row per run instead of a `created` log row per task (issue 5 speed);
-- tasks made before this migration keep their `created` log rows. followup_tasks no longer declares per-row foreign
-- keys (each cost a trigger call and a FOR KEY SHARE lock on the customer row per generated task). Erasing a customer
-- still deletes its follow-up tasks — and by cascade their attempts and log — through ONE statement-level trigger per
-- DELETE on customers (transition table: no per-row cost). Merging moves tasks to the kept customer before it deletes.
-- The task log's append-only trigger allows the cascade only under huifang.customer_relink (migration 0012), which
-- this function turns on around its DELETE and restores after.
CREATE FUNCTION followup_tasks_on_customers_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  prev text := coalesce(current_setting('huifang.customer_relink', true), '');
BEGIN
  IF NOT EXISTS (SELECT 1 FROM followup_tasks t JOIN gone g ON t.tenant_id = g.tenant_id AND t.customer_id = g.id) THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('huifang.customer_relink', 'on', true);
  DELETE FROM followup_tasks t USING gone g WHERE t.tenant_id = g.tenant_id AND t.customer_id = g.id;
  PERFORM set_config('huifang.customer_relink', prev, true);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER followup_tasks_customers_deleted AFTER DELETE ON customers REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION followup_tasks_on_customers_deleted();
