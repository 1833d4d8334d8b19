CREATE TABLE "business_calendar_days" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"kind" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "business_calendar_days_tenant_id_day_pk" PRIMARY KEY("tenant_id","day"),
	CONSTRAINT "business_calendar_days_kind_ck" CHECK ("business_calendar_days"."kind" in ('holiday', 'workday'))
);
--> statement-breakpoint
CREATE TABLE "business_calendar_years" (
	"tenant_id" uuid NOT NULL,
	"year" integer NOT NULL,
	"seeded_at" timestamp with time zone NOT NULL,
	CONSTRAINT "business_calendar_years_tenant_id_year_pk" PRIMARY KEY("tenant_id","year")
);
--> statement-breakpoint
CREATE TABLE "tenant_contact_policies" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"quiet_from_hour" smallint DEFAULT 21 NOT NULL,
	"quiet_to_hour" smallint DEFAULT 9 NOT NULL,
	"min_gap_days" smallint DEFAULT 7 NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "tenant_contact_policies_hours_ck" CHECK ("tenant_contact_policies"."quiet_from_hour" between 0 and 23 and "tenant_contact_policies"."quiet_to_hour" between 0 and 23 and "tenant_contact_policies"."quiet_from_hour" <> "tenant_contact_policies"."quiet_to_hour"),
	CONSTRAINT "tenant_contact_policies_gap_ck" CHECK ("tenant_contact_policies"."min_gap_days" between 0 and 365)
);
--> statement-breakpoint
ALTER TABLE "business_calendar_days" ADD CONSTRAINT "business_calendar_days_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "business_calendar_years" ADD CONSTRAINT "business_calendar_years_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_contact_policies" ADD CONSTRAINT "tenant_contact_policies_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;