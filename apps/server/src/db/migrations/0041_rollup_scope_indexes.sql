CREATE INDEX "evaluation_rollups_staff_idx" ON "evaluation_rollups" USING btree ("tenant_id","staff_id","day");--> statement-breakpoint
CREATE INDEX "evaluation_rollups_unit_idx" ON "evaluation_rollups" USING btree ("tenant_id","unit_id","day");--> statement-breakpoint
CREATE INDEX "service_session_rollups_staff_idx" ON "service_session_rollups" USING btree ("tenant_id","staff_id","day");--> statement-breakpoint
CREATE INDEX "service_session_rollups_counter_idx" ON "service_session_rollups" USING btree ("tenant_id","counter_id","day");