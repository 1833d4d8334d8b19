CREATE TABLE "customer_cards" (
	"tenant_id" uuid NOT NULL,
	"card_number" text NOT NULL,
	"customer_id" uuid NOT NULL,
	CONSTRAINT "customer_cards_tenant_id_card_number_customer_id_pk" PRIMARY KEY("tenant_id","card_number","customer_id")
);
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "card_numbers" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
-- customer_cards mirrors customers.card_numbers exactly, as customer_phones mirrors customers.phones (migrations 0013
-- and 0020): statement-level triggers with transition tables on INSERT and DELETE (an import of 5,000 customers runs
-- each once, set-based; customers without a card add no row), a row-level trigger on UPDATE that fires only when a
-- customer's cards change (WHEN is checked without calling the function), so imports that keep the cards pay
-- nothing. The column is new and empty, so there is nothing to backfill.
CREATE FUNCTION customer_cards_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO customer_cards (tenant_id, card_number, customer_id)
  SELECT n.tenant_id, k, n.id FROM new_rows n, unnest(n.card_numbers) k
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION customer_cards_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM customer_cards
   WHERE tenant_id = OLD.tenant_id AND customer_id = OLD.id
     AND card_number = ANY (OLD.card_numbers) AND NOT (card_number = ANY (NEW.card_numbers));
  INSERT INTO customer_cards (tenant_id, card_number, customer_id)
  SELECT NEW.tenant_id, k, NEW.id FROM unnest(NEW.card_numbers) k
   WHERE NOT (k = ANY (OLD.card_numbers))
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION customer_cards_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM customer_cards cc
   USING old_rows o, unnest(o.card_numbers) k
   WHERE cc.tenant_id = o.tenant_id AND cc.card_number = k AND cc.customer_id = o.id;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION customer_cards_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE customer_cards;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER customer_cards_ins AFTER INSERT ON customers REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION customer_cards_on_insert();
--> statement-breakpoint
CREATE TRIGGER customer_cards_upd AFTER UPDATE OF card_numbers ON customers
  FOR EACH ROW WHEN (OLD.card_numbers IS DISTINCT FROM NEW.card_numbers) EXECUTE FUNCTION customer_cards_on_update();
--> statement-breakpoint
CREATE TRIGGER customer_cards_del AFTER DELETE ON customers REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION customer_cards_on_delete();
--> statement-breakpoint
CREATE TRIGGER customer_cards_trunc AFTER TRUNCATE ON customers
  FOR EACH STATEMENT EXECUTE FUNCTION customer_cards_on_truncate();
