CREATE TABLE "ticket_callbacks" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"resolve_event_id" bigint NOT NULL,
	"customer_id" uuid,
	"mode" text NOT NULL,
	"send_after" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"auto_close_at" timestamp with time zone,
	"survey_link_id" uuid,
	"followup_task_id" uuid,
	"message_id" uuid,
	"skip_reason" text,
	"answered_at" timestamp with time zone,
	"evaluation_id" uuid,
	"score" smallint,
	"comment" text,
	"outcome" text,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ticket_callbacks_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "ticket_callbacks_mode_ck" CHECK ("ticket_callbacks"."mode" in ('callback', 'survey')),
	CONSTRAINT "ticket_callbacks_skip_ck" CHECK ("ticket_callbacks"."skip_reason" is null or "ticket_callbacks"."skip_reason" in ('not_sampled', 'no_customer', 'no_contact')),
	CONSTRAINT "ticket_callbacks_outcome_ck" CHECK ("ticket_callbacks"."outcome" is null or "ticket_callbacks"."outcome" in ('satisfied', 'reopened', 'timeout', 'cancelled', 'no_contact', 'not_sampled'))
);
--> statement-breakpoint
ALTER TABLE "survey_links" ADD COLUMN "flags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "ticket_callbacks" ADD CONSTRAINT "ticket_callbacks_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ticket_callbacks_resolve_uq" ON "ticket_callbacks" USING btree ("tenant_id","ticket_id","resolve_event_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ticket_callbacks_open_uq" ON "ticket_callbacks" USING btree ("tenant_id","ticket_id") WHERE "ticket_callbacks"."outcome" is null;--> statement-breakpoint
CREATE INDEX "ticket_callbacks_due_send_idx" ON "ticket_callbacks" USING btree ("send_after") WHERE "ticket_callbacks"."outcome" is null and "ticket_callbacks"."sent_at" is null and "ticket_callbacks"."skip_reason" is null;--> statement-breakpoint
CREATE INDEX "ticket_callbacks_due_close_idx" ON "ticket_callbacks" USING btree ("auto_close_at") WHERE "ticket_callbacks"."outcome" is null;--> statement-breakpoint
CREATE INDEX "ticket_callbacks_link_idx" ON "ticket_callbacks" USING btree ("tenant_id","survey_link_id") WHERE "ticket_callbacks"."survey_link_id" is not null;--> statement-breakpoint
CREATE INDEX "ticket_callbacks_task_idx" ON "ticket_callbacks" USING btree ("tenant_id","followup_task_id") WHERE "ticket_callbacks"."followup_task_id" is not null;