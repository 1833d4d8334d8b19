ALTER TABLE "customer_values" ADD COLUMN "unit_id" uuid;--> statement-breakpoint
ALTER TABLE "value_churn_warnings" ADD COLUMN "unit_id" uuid;--> statement-breakpoint
-- Custom SQL (issue 15 speed): the dashboard's counts of a value run (0040) looked up each row's customer for his
-- unit — a million random probes of customers per run, a fifth of the scoring insert and a third of the churn-warning
-- insert. The run now writes the unit it staged with the row; the lookup stays only for rows without one (older
-- rows, hand-written test rows). A churn warning keeps the unit it was written with when it is resolved or deleted.
CREATE OR REPLACE FUNCTION customer_value_rollups_upsert(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
SELECT format($q$
  INSERT INTO customer_value_rollups AS r (tenant_id, run_id, unit_id, tier, lifecycle, customers)
  SELECT d.tenant_id, d.run_id, d.unit_id, d.tier, d.lifecycle, sum(d.sign)
  FROM (SELECT s.tenant_id, s.run_id, s.tier, s.lifecycle, s.sign,
               coalesce(s.unit_id, (SELECT c.unit_id FROM customers c WHERE c.tenant_id = s.tenant_id AND c.id = s.customer_id)) AS unit_id
        FROM (%s) s) d
  WHERE d.unit_id IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5
  ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ON CONSTRAINT customer_value_rollups_key_uq DO UPDATE SET customers = r.customers + excluded.customers
$q$, src)
$f$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION churn_warning_counts_upsert(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
SELECT format($q$
  INSERT INTO churn_warning_counts AS r (tenant_id, unit_id, reason, open)
  SELECT d.tenant_id, d.unit_id, d.reason, sum(d.sign)
  FROM (SELECT s.tenant_id, s.reason, s.sign, s.resolved_at,
               coalesce(s.unit_id, (SELECT c.unit_id FROM customers c WHERE c.tenant_id = s.tenant_id AND c.id = s.customer_id)) AS unit_id
        FROM (%s) s) d
  WHERE d.resolved_at IS NULL AND d.unit_id IS NOT NULL
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT (tenant_id, unit_id, reason) DO UPDATE SET open = r.open + excluded.open
$q$, src)
$f$;
