CREATE TABLE "api_clients" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"name" text NOT NULL,
	"key_prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_clients_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "order_ratings" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"transaction_id" uuid,
	"buyer_key" uuid NOT NULL,
	"shop_unit_id" uuid NOT NULL,
	"completed_at" timestamp with time zone NOT NULL,
	"rated_at" timestamp with time zone NOT NULL,
	"month_key" text NOT NULL,
	"month_seq" integer NOT NULL,
	"is_counted" boolean NOT NULL,
	"dimensions" jsonb NOT NULL,
	"score" smallint NOT NULL,
	"text" text,
	"is_anonymous" boolean DEFAULT false NOT NULL,
	"source_type" text NOT NULL,
	"source_id" text,
	"idempotency_key" text,
	"evaluation_id" uuid NOT NULL,
	CONSTRAINT "order_ratings_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "order_review_followups" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"rating_id" uuid NOT NULL,
	"text" text,
	"created_at" timestamp with time zone NOT NULL,
	"source_type" text NOT NULL,
	"source_id" text,
	"idempotency_key" text,
	CONSTRAINT "order_review_followups_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "order_review_images" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"rating_id" uuid NOT NULL,
	"target" text NOT NULL,
	"position" smallint NOT NULL,
	"mime" text NOT NULL,
	"bytes" "bytea" NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "order_review_images_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "order_review_links" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"transaction_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "order_review_links_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "order_review_replies" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"rating_id" uuid NOT NULL,
	"target" text NOT NULL,
	"text" text NOT NULL,
	"replied_by" uuid,
	"replied_at" timestamp with time zone NOT NULL,
	CONSTRAINT "order_review_replies_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "api_clients" ADD CONSTRAINT "api_clients_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_clients" ADD CONSTRAINT "api_clients_unit_id_org_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_clients" ADD CONSTRAINT "api_clients_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_ratings" ADD CONSTRAINT "order_ratings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_ratings" ADD CONSTRAINT "order_ratings_transaction_id_transactions_id_fk" FOREIGN KEY ("transaction_id") REFERENCES "public"."transactions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_ratings" ADD CONSTRAINT "order_ratings_shop_unit_id_org_units_id_fk" FOREIGN KEY ("shop_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_review_followups" ADD CONSTRAINT "order_review_followups_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_review_followups" ADD CONSTRAINT "order_review_followups_tenant_id_rating_id_order_ratings_tenant_id_id_fk" FOREIGN KEY ("tenant_id","rating_id") REFERENCES "public"."order_ratings"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_review_images" ADD CONSTRAINT "order_review_images_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_review_images" ADD CONSTRAINT "order_review_images_tenant_id_rating_id_order_ratings_tenant_id_id_fk" FOREIGN KEY ("tenant_id","rating_id") REFERENCES "public"."order_ratings"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_review_links" ADD CONSTRAINT "order_review_links_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_review_links" ADD CONSTRAINT "order_review_links_transaction_id_transactions_id_fk" FOREIGN KEY ("transaction_id") REFERENCES "public"."transactions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_review_links" ADD CONSTRAINT "order_review_links_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_review_replies" ADD CONSTRAINT "order_review_replies_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_review_replies" ADD CONSTRAINT "order_review_replies_replied_by_users_id_fk" FOREIGN KEY ("replied_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_review_replies" ADD CONSTRAINT "order_review_replies_tenant_id_rating_id_order_ratings_tenant_id_id_fk" FOREIGN KEY ("tenant_id","rating_id") REFERENCES "public"."order_ratings"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_clients_key_uq" ON "api_clients" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "api_clients_unit_idx" ON "api_clients" USING btree ("tenant_id","unit_id") WHERE "api_clients"."revoked_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "order_ratings_tx_uq" ON "order_ratings" USING btree ("tenant_id","transaction_id");--> statement-breakpoint
CREATE INDEX "order_ratings_shop_idx" ON "order_ratings" USING btree ("tenant_id","shop_unit_id","rated_at");--> statement-breakpoint
CREATE INDEX "order_ratings_buyer_month_idx" ON "order_ratings" USING btree ("tenant_id","shop_unit_id","buyer_key","month_key");--> statement-breakpoint
CREATE UNIQUE INDEX "order_review_followups_rating_uq" ON "order_review_followups" USING btree ("tenant_id","rating_id");--> statement-breakpoint
CREATE INDEX "order_review_images_rating_idx" ON "order_review_images" USING btree ("tenant_id","rating_id");--> statement-breakpoint
CREATE UNIQUE INDEX "order_review_links_token_uq" ON "order_review_links" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "order_review_links_tx_idx" ON "order_review_links" USING btree ("tenant_id","transaction_id");--> statement-breakpoint
CREATE UNIQUE INDEX "order_review_replies_uq" ON "order_review_replies" USING btree ("tenant_id","rating_id","target");--> statement-breakpoint
-- Order reviews are append-only (DESIGN §4.3: a rating can never be changed; a follow-up cannot be edited; a reply is
-- once). The one allowed change: the order is deleted with its customer (deletion request) → the FK sets
-- transaction_id to NULL; the rating stays for the score's history but loses its text, images and follow-up text.
CREATE OR REPLACE FUNCTION order_ratings_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.transaction_id IS NOT NULL AND NEW.transaction_id IS NULL
     AND NEW.id = OLD.id AND NEW.tenant_id = OLD.tenant_id AND NEW.shop_unit_id = OLD.shop_unit_id
     AND NEW.rated_at = OLD.rated_at AND NEW.month_key = OLD.month_key AND NEW.month_seq = OLD.month_seq
     AND NEW.is_counted = OLD.is_counted AND NEW.dimensions = OLD.dimensions AND NEW.score = OLD.score THEN
    NEW.text := NULL;
    NEW.is_anonymous := true;
    PERFORM set_config('huifang.review_erasure', 'on', true);
    UPDATE order_review_followups SET text = NULL WHERE tenant_id = OLD.tenant_id AND rating_id = OLD.id;
    DELETE FROM order_review_images WHERE tenant_id = OLD.tenant_id AND rating_id = OLD.id;
    PERFORM set_config('huifang.review_erasure', 'off', true);
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION order_review_parts_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'TRUNCATE' AND coalesce(current_setting('huifang.review_erasure', true), '') = 'on' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER order_ratings_no_update_delete BEFORE UPDATE OR DELETE ON order_ratings FOR EACH ROW EXECUTE FUNCTION order_ratings_append_only();
--> statement-breakpoint
CREATE TRIGGER order_ratings_no_truncate BEFORE TRUNCATE ON order_ratings FOR EACH STATEMENT EXECUTE FUNCTION order_ratings_append_only();
--> statement-breakpoint
CREATE TRIGGER order_review_followups_no_update_delete BEFORE UPDATE OR DELETE ON order_review_followups FOR EACH ROW EXECUTE FUNCTION order_review_parts_append_only();
--> statement-breakpoint
CREATE TRIGGER order_review_followups_no_truncate BEFORE TRUNCATE ON order_review_followups FOR EACH STATEMENT EXECUTE FUNCTION order_review_parts_append_only();
--> statement-breakpoint
CREATE TRIGGER order_review_replies_no_update_delete BEFORE UPDATE OR DELETE ON order_review_replies FOR EACH ROW EXECUTE FUNCTION order_review_parts_append_only();
--> statement-breakpoint
CREATE TRIGGER order_review_replies_no_truncate BEFORE TRUNCATE ON order_review_replies FOR EACH STATEMENT EXECUTE FUNCTION order_review_parts_append_only();
--> statement-breakpoint
CREATE TRIGGER order_review_images_no_update_delete BEFORE UPDATE OR DELETE ON order_review_images FOR EACH ROW EXECUTE FUNCTION order_review_parts_append_only();
--> statement-breakpoint
CREATE TRIGGER order_review_images_no_truncate BEFORE TRUNCATE ON order_review_images FOR EACH STATEMENT EXECUTE FUNCTION order_review_parts_append_only();
