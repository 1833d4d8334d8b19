ALTER TABLE "order_ratings" ADD COLUMN "request_hash" text;--> statement-breakpoint
ALTER TABLE "order_review_followups" ADD COLUMN "request_hash" text;--> statement-breakpoint
-- Before this index a kiosk Idempotency-Key reused on another session stored a second press under the same key.
-- Such earlier duplicates keep their rows (the evaluation store is append-only) but all but the first lose the
-- claim on the key: answers.clientKey moves to answers.reusedClientKey, so the unique index below can be built.
-- The append-only trigger refuses every UPDATE; this one-off key move is the only exception, inside this migration.
ALTER TABLE "evaluations" DISABLE TRIGGER "evaluations_no_update_delete";--> statement-breakpoint
UPDATE "evaluations" e SET "answers" = (e."answers" - 'clientKey') || jsonb_build_object('reusedClientKey', e."answers"->>'clientKey')
FROM (
  SELECT "tenant_id", "id", row_number() OVER (PARTITION BY "tenant_id", "answers"->>'clientKey' ORDER BY "received_at", "id") AS n
  FROM "evaluations" WHERE "channel" = 'kiosk' AND "answers" ? 'clientKey'
) d
WHERE d.n > 1 AND e."tenant_id" = d."tenant_id" AND e."id" = d."id";--> statement-breakpoint
ALTER TABLE "evaluations" ENABLE TRIGGER "evaluations_no_update_delete";--> statement-breakpoint
-- Plain CREATE INDEX: blocks writes to evaluations while it is built (kiosk rows only, seconds on large stores).
CREATE UNIQUE INDEX "evaluations_kiosk_client_key_uq" ON "evaluations" USING btree ("tenant_id",("answers"->>'clientKey')) WHERE "evaluations"."channel" = 'kiosk' and "evaluations"."answers" ? 'clientKey';
