CREATE TABLE "evaluation_corrections" (
	"id" bigserial NOT NULL,
	"tenant_id" uuid NOT NULL,
	"evaluation_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"reason" text NOT NULL,
	"actor_id" uuid,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "evaluation_corrections_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "evaluations" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"unit_id" uuid NOT NULL,
	"counter_id" uuid,
	"staff_id" uuid,
	"customer_id" uuid,
	"service_record_id" uuid,
	"ref_type" text,
	"ref_id" uuid,
	"source_type" text NOT NULL,
	"source_id" text,
	"score" smallint,
	"rating_label" text,
	"dimensions" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"answers" jsonb,
	"text" text,
	"flags" text[] DEFAULT '{}' NOT NULL,
	"idempotency_key" text NOT NULL,
	CONSTRAINT "evaluations_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "evaluation_corrections" ADD CONSTRAINT "evaluation_corrections_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluation_corrections" ADD CONSTRAINT "evaluation_corrections_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_unit_id_org_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_counter_id_org_units_id_fk" FOREIGN KEY ("counter_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_staff_id_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_service_record_id_service_records_id_fk" FOREIGN KEY ("service_record_id") REFERENCES "public"."service_records"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "evaluation_corrections_eval_idx" ON "evaluation_corrections" USING btree ("tenant_id","evaluation_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "evaluations_idempotency_uq" ON "evaluations" USING btree ("tenant_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "evaluations_occurred_idx" ON "evaluations" USING btree ("tenant_id","occurred_at","id");--> statement-breakpoint
CREATE INDEX "evaluations_unit_idx" ON "evaluations" USING btree ("tenant_id","unit_id","occurred_at");--> statement-breakpoint
CREATE INDEX "evaluations_staff_idx" ON "evaluations" USING btree ("tenant_id","staff_id","occurred_at");--> statement-breakpoint
CREATE INDEX "evaluations_customer_idx" ON "evaluations" USING btree ("tenant_id","customer_id","occurred_at") WHERE "evaluations"."customer_id" is not null;--> statement-breakpoint
CREATE INDEX "evaluations_ref_idx" ON "evaluations" USING btree ("tenant_id","ref_type","ref_id");--> statement-breakpoint
-- Evaluations and their corrections are append-only (DESIGN §4): corrections are new rows, never edits.
-- The one exception is relinking a customer: erasure (deletion request) or merge of duplicates: with `set local huifang.customer_relink = 'on'` an
-- UPDATE may clear the customer link and personal free text, nothing else (checked below), and the FK's
-- ON DELETE SET NULL may run.
CREATE OR REPLACE FUNCTION evaluations_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND coalesce(current_setting('huifang.customer_relink', true), '') = 'on'
     AND NEW.id = OLD.id AND NEW.tenant_id = OLD.tenant_id AND NEW.channel = OLD.channel
     AND NEW.occurred_at = OLD.occurred_at AND NEW.unit_id = OLD.unit_id
     AND NEW.score IS NOT DISTINCT FROM OLD.score AND NEW.dimensions = OLD.dimensions
     AND NEW.idempotency_key = OLD.idempotency_key THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER evaluations_no_update_delete BEFORE UPDATE OR DELETE ON evaluations
  FOR EACH ROW EXECUTE FUNCTION evaluations_append_only();
--> statement-breakpoint
CREATE TRIGGER evaluations_no_truncate BEFORE TRUNCATE ON evaluations
  FOR EACH STATEMENT EXECUTE FUNCTION evaluations_append_only();
--> statement-breakpoint
CREATE TRIGGER evaluation_corrections_no_update_delete BEFORE UPDATE OR DELETE ON evaluation_corrections
  FOR EACH ROW EXECUTE FUNCTION evaluations_append_only();
--> statement-breakpoint
CREATE TRIGGER evaluation_corrections_no_truncate BEFORE TRUNCATE ON evaluation_corrections
  FOR EACH STATEMENT EXECUTE FUNCTION evaluations_append_only();
