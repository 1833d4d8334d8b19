-- Custom SQL (drizzle-kit cannot express INCLUDE): the per-customer index of transactions also carries kind and
-- amount_fen, so the value recompute (modules/value, issue 15) aggregates a range of customers by an index-only scan
-- of that range. Without it each chunk of customers read every heap page of the table (transactions are stored in
-- arrival order, not by customer): chunks × the whole table, quadratic in the tenant's size.
DROP INDEX IF EXISTS "transactions_customer_idx";
--> statement-breakpoint
CREATE INDEX "transactions_customer_idx" ON "transactions" USING btree ("tenant_id","customer_id","occurred_at") INCLUDE ("kind","amount_fen");
