CREATE TABLE "followup_plan_messages" (
	"tenant_id" uuid NOT NULL,
	"plan_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"template" text NOT NULL,
	"template_code" text,
	"subject" text,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "followup_plan_messages_tenant_id_plan_id_pk" PRIMARY KEY("tenant_id","plan_id")
);
--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD COLUMN "dedupe_key" text;--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD COLUMN "delivery_status" text;--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD COLUMN "delivered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD COLUMN "delivery_error" text;--> statement-breakpoint
ALTER TABLE "sms_settings" ADD COLUMN "receipt_token" text;--> statement-breakpoint
ALTER TABLE "followup_plan_messages" ADD CONSTRAINT "followup_plan_messages_tenant_id_plan_id_followup_plans_tenant_id_id_fk" FOREIGN KEY ("tenant_id","plan_id") REFERENCES "public"."followup_plans"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_dedupe_uq" ON "outbox_messages" USING btree ("tenant_id","dedupe_key") WHERE "outbox_messages"."dedupe_key" is not null;--> statement-breakpoint
CREATE INDEX "outbox_provider_msg_idx" ON "outbox_messages" USING btree ("tenant_id","provider_message_id") WHERE "outbox_messages"."provider_message_id" is not null;--> statement-breakpoint
ALTER TABLE "sms_settings" ADD CONSTRAINT "sms_settings_receipt_token_uq" UNIQUE("receipt_token");