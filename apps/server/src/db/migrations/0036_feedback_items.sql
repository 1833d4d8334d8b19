CREATE TABLE "feedback_items" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"evaluation_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"unit_id" uuid NOT NULL,
	"staff_id" uuid,
	"customer_id" uuid,
	"text" text NOT NULL,
	"category" text NOT NULL,
	"sentiment" text NOT NULL,
	"score" double precision NOT NULL,
	"topics" text[] DEFAULT '{}' NOT NULL,
	"keywords" text[] DEFAULT '{}' NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"classified_at" timestamp with time zone NOT NULL,
	"corrected_category" text,
	"corrected_sentiment" text,
	"corrected_topics" text[],
	"corrected_by" uuid,
	"corrected_at" timestamp with time zone,
	CONSTRAINT "feedback_items_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "feedback_label_corrections" (
	"tenant_id" uuid NOT NULL,
	"id" bigserial NOT NULL,
	"item_id" uuid NOT NULL,
	"actor_id" uuid,
	"at" timestamp with time zone NOT NULL,
	"old_category" text NOT NULL,
	"old_sentiment" text NOT NULL,
	"old_topics" text[] NOT NULL,
	"new_category" text NOT NULL,
	"new_sentiment" text NOT NULL,
	"new_topics" text[] NOT NULL,
	"reason" text,
	CONSTRAINT "feedback_label_corrections_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "feedback_items" ADD CONSTRAINT "feedback_items_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_items" ADD CONSTRAINT "feedback_items_unit_id_org_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_items" ADD CONSTRAINT "feedback_items_staff_id_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_items" ADD CONSTRAINT "feedback_items_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_items" ADD CONSTRAINT "feedback_items_corrected_by_users_id_fk" FOREIGN KEY ("corrected_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_items" ADD CONSTRAINT "feedback_items_evaluation_fk" FOREIGN KEY ("tenant_id","evaluation_id") REFERENCES "public"."evaluations"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_label_corrections" ADD CONSTRAINT "feedback_label_corrections_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_label_corrections" ADD CONSTRAINT "feedback_label_corrections_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_label_corrections" ADD CONSTRAINT "feedback_label_corrections_item_fk" FOREIGN KEY ("tenant_id","item_id") REFERENCES "public"."feedback_items"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "feedback_items_evaluation_uq" ON "feedback_items" USING btree ("tenant_id","evaluation_id");--> statement-breakpoint
CREATE INDEX "feedback_items_occurred_idx" ON "feedback_items" USING btree ("tenant_id","occurred_at","id");--> statement-breakpoint
CREATE INDEX "feedback_items_unit_idx" ON "feedback_items" USING btree ("tenant_id","unit_id","occurred_at");--> statement-breakpoint
CREATE INDEX "feedback_items_staff_idx" ON "feedback_items" USING btree ("tenant_id","staff_id","occurred_at");--> statement-breakpoint
CREATE INDEX "feedback_items_corrected_idx" ON "feedback_items" USING btree ("tenant_id","corrected_at") WHERE "feedback_items"."corrected_at" is not null;--> statement-breakpoint
CREATE INDEX "feedback_label_corrections_item_idx" ON "feedback_label_corrections" USING btree ("tenant_id","item_id","at");--> statement-breakpoint
-- Custom SQL (not generated). Label corrections are a history: append-only, like evaluation_corrections.
CREATE OR REPLACE FUNCTION feedback_label_corrections_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER feedback_label_corrections_no_update_delete BEFORE UPDATE OR DELETE ON feedback_label_corrections
  FOR EACH ROW EXECUTE FUNCTION feedback_label_corrections_append_only();
--> statement-breakpoint
CREATE TRIGGER feedback_label_corrections_no_truncate BEFORE TRUNCATE ON feedback_label_corrections
  FOR EACH STATEMENT EXECUTE FUNCTION feedback_label_corrections_append_only();
--> statement-breakpoint
-- A feedback item copies its evaluation's customer and text. When the evaluation is relinked (customer merge) or its
-- customer erased (customer_id and text cleared under huifang.customer_relink, see 0007), the copy follows in the
-- same transaction, so no erased text survives here: text becomes '' and the keywords (words of that text) go.
-- The labels stay: they are counts, not personal data.
CREATE OR REPLACE FUNCTION feedback_items_follow_evaluation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE feedback_items fi
     SET customer_id = NEW.customer_id,
         text = CASE WHEN NEW.text IS NULL THEN '' ELSE fi.text END,
         keywords = CASE WHEN NEW.text IS NULL THEN '{}'::text[] ELSE fi.keywords END
   WHERE fi.tenant_id = NEW.tenant_id AND fi.evaluation_id = NEW.id;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER evaluations_feedback_items_follow AFTER UPDATE OF customer_id, text ON evaluations
  FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.text IS DISTINCT FROM NEW.text)
  EXECUTE FUNCTION feedback_items_follow_evaluation();
