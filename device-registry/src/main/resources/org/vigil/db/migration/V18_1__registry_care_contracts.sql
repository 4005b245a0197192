-- Issue 14 (chronic-disease management): the narrow read contracts through which the chronic module sees other
-- modules' data (V18 ingest, V18.1 registry, V18.2 alerting). The chronic module reads only these views and
-- functions and its own tables (V19, V20); the module that owns the tables behind each keeps it true when they change.

-- Published by the registry: the organisation tree (a subtree is a prefix of path).
CREATE VIEW care_organisation AS
SELECT id, name, tier, parent_id, path FROM organisation;

-- Published by the registry: every contract period with what the chronic module needs to attribute a patient to
-- a doctor, a team and an organisation (its path: a subtree is a prefix), and the patient's conditions.
CREATE VIEW care_roster AS
SELECT c.patient_id, c.doctor_id, c.team_id, t.organisation_id, o.path AS organisation_path,
       c.valid_from, c.valid_to, p.conditions, p.name AS patient_name
  FROM contract c
  JOIN team t ON t.id = c.team_id
  JOIN organisation o ON o.id = t.organisation_id
  JOIN patient p ON p.id = c.patient_id;

-- Published by the registry: each patient's current care plan (the newest version).
CREATE VIEW care_plan_current AS
SELECT DISTINCT ON (patient_id) patient_id, plan, changed_at
  FROM care_plan
 ORDER BY patient_id, version DESC;

