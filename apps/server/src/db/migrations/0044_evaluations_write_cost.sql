ALTER TABLE "evaluations" DROP CONSTRAINT "evaluations_tenant_id_tenants_id_fk";
--> statement-breakpoint
ALTER TABLE "evaluations" DROP CONSTRAINT "evaluations_unit_id_org_units_id_fk";
--> statement-breakpoint
ALTER TABLE "evaluations" DROP CONSTRAINT "evaluations_counter_id_org_units_id_fk";
--> statement-breakpoint
ALTER TABLE "evaluations" DROP CONSTRAINT "evaluations_staff_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "survey_responses" DROP CONSTRAINT "survey_responses_tenant_id_tenants_id_fk";
--> statement-breakpoint
ALTER TABLE "survey_responses" DROP CONSTRAINT "survey_responses_unit_id_org_units_id_fk";
--> statement-breakpoint
DROP INDEX "evaluations_ref_idx";--> statement-breakpoint
-- Custom SQL below (not generated), issue 12 (speed): the evaluation write path pays less Postgres work per row.
--
-- 1. The foreign keys dropped above (evaluations → tenants, org_units ×2, users; survey_responses → tenants,
--    org_units) ran one locking RI probe per row and key: 4 per kiosk press, ~0.5 ms of a 14-press batch's ~1.8 ms.
--    They are replaced, as for customers (migration 0021), by one set-based check per INSERT statement, stricter than
--    the keys were: the unit and counter must be org units, the staff member a user, of the row's own tenant (which
--    must therefore exist). An UPDATE of evaluations cannot change these columns (evaluations_append_only, 0039);
--    survey_responses are checked on UPDATE too.
-- 2. evaluations_ref_idx (dropped above, generated) served only the lookups of a service session's evaluation
--    (counter session list, queue figures); those now go by the session's idempotency key, `'kiosk:session:' || id`,
--    which every evaluation of a service session carries (the press and the 未评价 timeout share it) and which
--    evaluations_idempotency_uq already indexes: one index entry less per evaluation.
CREATE FUNCTION evaluations_check_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT n.id, n.tenant_id, n.unit_id, n.counter_id, n.staff_id,
         NOT EXISTS (SELECT 1 FROM org_units u WHERE u.id = n.unit_id AND u.tenant_id = n.tenant_id) AS bad_unit,
         n.counter_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM org_units u WHERE u.id = n.counter_id AND u.tenant_id = n.tenant_id) AS bad_counter
    INTO bad FROM new_rows n
   WHERE NOT EXISTS (SELECT 1 FROM org_units u WHERE u.id = n.unit_id AND u.tenant_id = n.tenant_id)
      OR (n.counter_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM org_units u WHERE u.id = n.counter_id AND u.tenant_id = n.tenant_id))
      OR (n.staff_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = n.staff_id AND u.tenant_id = n.tenant_id))
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'evaluation % refers to % %, which is not % of tenant %', bad.id,
      CASE WHEN bad.bad_unit THEN 'unit' WHEN bad.bad_counter THEN 'counter' ELSE 'staff member' END,
      CASE WHEN bad.bad_unit THEN bad.unit_id WHEN bad.bad_counter THEN bad.counter_id ELSE bad.staff_id END,
      CASE WHEN bad.bad_unit OR bad.bad_counter THEN 'an org unit' ELSE 'a user' END, bad.tenant_id
      USING ERRCODE = 'foreign_key_violation',
            COLUMN = CASE WHEN bad.bad_unit THEN 'unit_id' WHEN bad.bad_counter THEN 'counter_id' ELSE 'staff_id' END,
            TABLE = 'evaluations';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER evaluations_refs_ins AFTER INSERT ON evaluations REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION evaluations_check_refs();
--> statement-breakpoint
CREATE FUNCTION survey_responses_check_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT n.id, n.tenant_id, n.unit_id INTO bad FROM new_rows n
   WHERE NOT EXISTS (SELECT 1 FROM org_units u WHERE u.id = n.unit_id AND u.tenant_id = n.tenant_id)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'survey response % refers to unit %, which is not an org unit of tenant %', bad.id, bad.unit_id, bad.tenant_id
      USING ERRCODE = 'foreign_key_violation', COLUMN = 'unit_id', TABLE = 'survey_responses';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER survey_responses_refs_ins AFTER INSERT ON survey_responses REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION survey_responses_check_refs();
--> statement-breakpoint
CREATE TRIGGER survey_responses_refs_upd AFTER UPDATE ON survey_responses REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION survey_responses_check_refs();
--> statement-breakpoint
-- The other side of the old keys: a tenant, unit or user that evaluations or survey responses refer to cannot be
-- deleted (the app never deletes them; units and users are deactivated). The SHARE lock waits for writers of
-- evaluations and survey responses that are still open and holds off new ones until the delete commits, so a row
-- inserted concurrently with the delete is seen by this check or sees the delete in its own — exact, like the
-- keys' row locks, at the cost of the rare delete instead of every press. (No index on evaluations.counter_id: the
-- old key's delete check scanned the table too.)
CREATE FUNCTION evaluations_keep_refs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE evaluations, survey_responses IN SHARE MODE;
  IF TG_TABLE_NAME = 'tenants' THEN
    IF EXISTS (SELECT 1 FROM evaluations e WHERE e.tenant_id = OLD.id)
       OR EXISTS (SELECT 1 FROM survey_responses r WHERE r.tenant_id = OLD.id) THEN
      RAISE EXCEPTION 'tenant % still has evaluations', OLD.id USING ERRCODE = 'foreign_key_violation';
    END IF;
  ELSIF TG_TABLE_NAME = 'org_units' THEN
    IF EXISTS (SELECT 1 FROM evaluations e WHERE e.tenant_id = OLD.tenant_id AND e.unit_id = OLD.id)
       OR EXISTS (SELECT 1 FROM evaluations e WHERE e.tenant_id = OLD.tenant_id AND e.counter_id = OLD.id)
       OR EXISTS (SELECT 1 FROM survey_responses r WHERE r.tenant_id = OLD.tenant_id AND r.unit_id = OLD.id) THEN
      RAISE EXCEPTION 'unit % still has evaluations', OLD.id USING ERRCODE = 'foreign_key_violation';
    END IF;
  ELSIF EXISTS (SELECT 1 FROM evaluations e WHERE e.tenant_id = OLD.tenant_id AND e.staff_id = OLD.id) THEN
    RAISE EXCEPTION 'user % still has evaluations', OLD.id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN OLD;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER tenants_keep_evaluations BEFORE DELETE ON tenants FOR EACH ROW EXECUTE FUNCTION evaluations_keep_refs();
--> statement-breakpoint
CREATE TRIGGER org_units_keep_evaluations BEFORE DELETE ON org_units FOR EACH ROW EXECUTE FUNCTION evaluations_keep_refs();
--> statement-breakpoint
CREATE TRIGGER users_keep_evaluations BEFORE DELETE ON users FOR EACH ROW EXECUTE FUNCTION evaluations_keep_refs();
--> statement-breakpoint
-- Rows written before: every reference is of the row's own tenant (the keys only said the row exists).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM evaluations e WHERE NOT EXISTS (SELECT 1 FROM org_units u WHERE u.id = e.unit_id AND u.tenant_id = e.tenant_id))
     OR EXISTS (SELECT 1 FROM evaluations e WHERE e.counter_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM org_units u WHERE u.id = e.counter_id AND u.tenant_id = e.tenant_id))
     OR EXISTS (SELECT 1 FROM evaluations e WHERE e.staff_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = e.staff_id AND u.tenant_id = e.tenant_id))
     OR EXISTS (SELECT 1 FROM survey_responses r WHERE NOT EXISTS (SELECT 1 FROM org_units u WHERE u.id = r.unit_id AND u.tenant_id = r.tenant_id)) THEN
    RAISE EXCEPTION 'evaluations or survey responses refer to a unit or user of another tenant; fix them before this migration';
  END IF;
END;
$$;
