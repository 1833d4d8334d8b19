CREATE TABLE "shops" (
	"tenant_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"review_dimensions" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "shops_tenant_id_unit_id_pk" PRIMARY KEY("tenant_id","unit_id")
);
--> statement-breakpoint
ALTER TABLE "shops" ADD CONSTRAINT "shops_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shops" ADD CONSTRAINT "shops_unit_id_org_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shops" ADD CONSTRAINT "shops_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Backfill (custom): a unit that already has order ratings or a shop API key is a shop, with the default dimensions,
-- so an existing install keeps its shop score and API. Units with only transactions (bank outlets) stay non-shops.
INSERT INTO "shops" ("tenant_id", "unit_id", "review_dimensions", "created_at", "updated_at")
SELECT DISTINCT s.tenant_id, s.unit_id,
       '[{"key":"description","name":"描述相符"},{"key":"service","name":"服务态度"},{"key":"logistics","name":"物流服务"}]'::jsonb, now(), now()
FROM (SELECT tenant_id, shop_unit_id AS unit_id FROM order_ratings UNION SELECT tenant_id, unit_id FROM api_clients) s
ON CONFLICT DO NOTHING;
