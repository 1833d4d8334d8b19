CREATE TABLE "sms_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"provider" text DEFAULT 'log' NOT NULL,
	"access_key_id" text,
	"access_key_secret" text,
	"sign_name" text,
	"sdk_app_id" text,
	"region" text,
	"opt_out_text" text DEFAULT '拒收请回复R' NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD COLUMN "customer_id" uuid;--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD COLUMN "is_marketing" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD COLUMN "template_code" text;--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD COLUMN "template_params" jsonb;--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD COLUMN "provider_message_id" text;--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD COLUMN "policy_outcome" text;--> statement-breakpoint
ALTER TABLE "sms_settings" ADD CONSTRAINT "sms_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;