CREATE TABLE "followup_done_month_rollups" (
	"tenant_id" uuid NOT NULL,
	"month" date NOT NULL,
	"unit_id" uuid NOT NULL,
	"assignee_id" uuid,
	"done" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "followup_done_month_rollups_key_uq" UNIQUE NULLS NOT DISTINCT("tenant_id","month","unit_id","assignee_id")
);
--> statement-breakpoint
CREATE TABLE "followup_done_rollups" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"unit_id" uuid NOT NULL,
	"assignee_id" uuid,
	"done" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "followup_done_rollups_key_uq" UNIQUE NULLS NOT DISTINCT("tenant_id","day","unit_id","assignee_id")
);
--> statement-breakpoint
CREATE INDEX "followup_done_month_rollups_unit_idx" ON "followup_done_month_rollups" USING btree ("tenant_id","unit_id","month");--> statement-breakpoint
CREATE INDEX "followup_done_month_rollups_assignee_idx" ON "followup_done_month_rollups" USING btree ("tenant_id","assignee_id","month");--> statement-breakpoint
CREATE INDEX "followup_done_rollups_unit_idx" ON "followup_done_rollups" USING btree ("tenant_id","unit_id","day");--> statement-breakpoint
CREATE INDEX "followup_done_rollups_assignee_idx" ON "followup_done_rollups" USING btree ("tenant_id","assignee_id","day");