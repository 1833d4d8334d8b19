-- Receipt webhook tokens are credentials: keep only their SHA-256 (hex), as for session and survey-link tokens.
-- Existing tokens keep working: the column is hashed in place.
ALTER TABLE "sms_settings" RENAME COLUMN "receipt_token" TO "receipt_token_hash";
--> statement-breakpoint
ALTER TABLE "sms_settings" RENAME CONSTRAINT "sms_settings_receipt_token_uq" TO "sms_settings_receipt_token_hash_uq";
--> statement-breakpoint
UPDATE "sms_settings" SET "receipt_token_hash" = encode(sha256(convert_to("receipt_token_hash", 'UTF8')), 'hex') WHERE "receipt_token_hash" IS NOT NULL;
