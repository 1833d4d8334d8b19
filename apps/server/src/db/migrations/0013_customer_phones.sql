CREATE TABLE "customer_phones" (
	"tenant_id" uuid NOT NULL,
	"phone" text NOT NULL,
	"customer_id" uuid NOT NULL,
	CONSTRAINT "customer_phones_tenant_id_phone_customer_id_pk" PRIMARY KEY("tenant_id","phone","customer_id")
);
--> statement-breakpoint
-- Phone lookups moved to customer_phones (below): the GIN index on customers.phones has no reader left, and
-- dropping it takes its cost off every customer write.
DROP INDEX "customers_phones_idx";--> statement-breakpoint
-- customers_custom_idx becomes partial (customers with custom values only). Rebuilding it holds a lock that blocks
-- customer writes for the length of the build (seconds per million rows).

DROP INDEX "customers_custom_idx";--> statement-breakpoint
ALTER TABLE "import_jobs" ALTER COLUMN "file" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "import_jobs" ADD COLUMN "file_path" text;--> statement-breakpoint
CREATE INDEX "customers_custom_idx" ON "customers" USING gin ("custom" jsonb_path_ops) WHERE "customers"."custom" <> '{}'::jsonb;--> statement-breakpoint
-- One rule normalises phones everywhere (normalizePhone in @huifang/shared): landlines are stored as 021-55551234.
-- Rows written before kept whatever dash the user typed (02155551234); give them the dash so exact lookups match.
-- Only landlines already valid under the old rule are touched; the digits (and phone_digits) do not change.
UPDATE "customers" SET "phones" = (
  SELECT array_agg(regexp_replace(p, '^(010|02[0-9]|0[3-9][0-9]{2})([2-9][0-9]{6,7})((-[0-9]{1,6})?)$', '\1-\2\3') ORDER BY n)
    FROM unnest("phones") WITH ORDINALITY AS x(p, n))
 WHERE EXISTS (SELECT 1 FROM unnest("phones") p WHERE p ~ '^(010|02[0-9]|0[3-9][0-9]{2})[2-9][0-9]{6,7}(-[0-9]{1,6})?$');
--> statement-breakpoint
-- customer_phones mirrors customers.phones exactly. Statement-level triggers with transition tables: an import that
-- writes 5,000 customers in one statement runs each trigger once, set-based, instead of 5,000 times.
CREATE FUNCTION customer_phones_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO customer_phones (tenant_id, phone, customer_id)
  SELECT n.tenant_id, p, n.id FROM new_rows n, unnest(n.phones) p
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Only rows whose phones changed cost anything; a phone kept across the update keeps its row.
CREATE FUNCTION customer_phones_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM customer_phones cp
   USING old_rows o JOIN new_rows n ON n.id = o.id, unnest(o.phones) p
   WHERE o.phones IS DISTINCT FROM n.phones AND NOT (p = ANY (n.phones))
     AND cp.tenant_id = o.tenant_id AND cp.phone = p AND cp.customer_id = o.id;
  INSERT INTO customer_phones (tenant_id, phone, customer_id)
  SELECT n.tenant_id, p, n.id FROM new_rows n JOIN old_rows o ON o.id = n.id, unnest(n.phones) p
   WHERE o.phones IS DISTINCT FROM n.phones AND NOT (p = ANY (o.phones))
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION customer_phones_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM customer_phones cp
   USING old_rows o, unnest(o.phones) p
   WHERE cp.tenant_id = o.tenant_id AND cp.phone = p AND cp.customer_id = o.id;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION customer_phones_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE customer_phones;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER customer_phones_ins AFTER INSERT ON customers REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION customer_phones_on_insert();
--> statement-breakpoint
CREATE TRIGGER customer_phones_upd AFTER UPDATE ON customers REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION customer_phones_on_update();
--> statement-breakpoint
CREATE TRIGGER customer_phones_del AFTER DELETE ON customers REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION customer_phones_on_delete();
--> statement-breakpoint
CREATE TRIGGER customer_phones_trunc AFTER TRUNCATE ON customers
  FOR EACH STATEMENT EXECUTE FUNCTION customer_phones_on_truncate();
--> statement-breakpoint
-- Backfill. The migration runs in one transaction and CREATE TRIGGER above holds a SHARE ROW EXCLUSIVE lock on
-- customers until it commits, so no customer write can slip between the triggers and this copy.
INSERT INTO customer_phones (tenant_id, phone, customer_id)
SELECT c.tenant_id, p, c.id FROM customers c, unnest(c.phones) p
ON CONFLICT DO NOTHING;
