CREATE TABLE "evaluation_event_consumptions" (
	"consumer" text NOT NULL,
	"tenant_id" uuid NOT NULL,
	"event_id" bigint NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "evaluation_event_consumptions_consumer_tenant_id_event_id_pk" PRIMARY KEY("consumer","tenant_id","event_id")
);
--> statement-breakpoint
CREATE TABLE "evaluation_event_floors" (
	"consumer" text PRIMARY KEY NOT NULL,
	"tx_floor" "xid8" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluation_events" (
	"id" bigserial NOT NULL,
	"tenant_id" uuid NOT NULL,
	"evaluation_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"tx" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	CONSTRAINT "evaluation_events_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "evaluation_events" ADD CONSTRAINT "evaluation_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "evaluation_events_tx_idx" ON "evaluation_events" USING btree ("tx","id");