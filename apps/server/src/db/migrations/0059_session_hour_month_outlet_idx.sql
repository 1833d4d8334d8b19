-- The index of the schema (tenant, outlet, month) with the read's columns INCLUDEd (edited by hand; drizzle-kit does
-- not write INCLUDE): a branch manager's heat map over a year is then an index-only scan of his outlets' rows instead of
-- a scan of every outlet's (1.15 M month rows at the bench's scale; an index without them cost more random heap reads
-- than the scan, so the planner kept the scan).
CREATE INDEX "session_hour_month_rollups_outlet_idx" ON "session_hour_month_rollups" USING btree ("tenant_id","outlet_id","month") INCLUDE ("isodow","hour","sessions");
