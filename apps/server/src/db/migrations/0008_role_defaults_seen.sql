ALTER TABLE "roles" ADD COLUMN "defaults_seen" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
-- Built-in roles created before this release have been offered every default permission that existed then
-- (the permission list up to the customers release); later defaults are granted once at the next start.
UPDATE "roles" SET "defaults_seen" = ARRAY['dashboard:read','org:read','org:write','user:read','user:write','role:read',
  'role:write','audit:read','pii:reveal','customer:read','customer:write','customer:export','customer:import',
  'customer:erase','settings:write']::text[]
WHERE "is_builtin";
