-- A county registry for measuring access-scoped lists (docs/performance.md): 1 county, 20 townships,
-- 300 village clinics, a doctor per organisation, a team per village doctor, 100,000 patients round-robin
-- over the teams, and 50,000 resolved alerts.
BEGIN;
INSERT INTO organisation (name, tier, path) VALUES ('County', 'county', '');
UPDATE organisation SET path = '/' || id || '/' WHERE tier = 'county';
INSERT INTO organisation (name, tier, parent_id, path)
SELECT 'Township ' || g, 'township', (SELECT id FROM organisation WHERE tier='county'), '' FROM generate_series(1,20) g;
UPDATE organisation o SET path = p.path || o.id || '/' FROM organisation p WHERE o.parent_id = p.id AND o.tier = 'township';
INSERT INTO organisation (name, tier, parent_id, path)
SELECT 'Village ' || t.id || '-' || g, 'village', t.id, '' FROM organisation t, generate_series(1,15) g WHERE t.tier = 'township';
UPDATE organisation o SET path = p.path || o.id || '/' FROM organisation p WHERE o.parent_id = p.id AND o.tier = 'village';
INSERT INTO doctor (name, organisation_id) SELECT 'Dr ' || o.id, o.id FROM organisation o;
INSERT INTO team (name, organisation_id) SELECT 'Team ' || o.id, o.id FROM organisation o WHERE tier = 'village';
INSERT INTO team_member (team_id, doctor_id) SELECT t.id, d.id FROM team t JOIN doctor d ON d.organisation_id = t.organisation_id;
INSERT INTO patient (name, conditions, grade) SELECT 'P' || g, '{hypertension}', 1 FROM generate_series(1,100000) g;
-- each patient to a village team round-robin
WITH teams AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n, count(*) OVER () AS c FROM team),
     pats AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM patient)
INSERT INTO contract (patient_id, team_id, doctor_id, valid_from, created_by)
SELECT p.id, t.id, m.doctor_id, now() - interval '30 days', 'seed'
  FROM pats p JOIN teams t ON t.n = p.n % t.c JOIN team_member m ON m.team_id = t.id;
INSERT INTO alert (patient_id, doctor_id, organisation_id, rule, severity, status, metric, value, measured_at, opened_at,
                   last_value, last_measured_at, updated_at, worst_value)
SELECT c.patient_id, c.doctor_id, t.organisation_id, 'r' || (g % 5), 'warning', 'resolved', 1, 170, now(), now(), 170, now(), now(), 170
  FROM contract c JOIN team t ON t.id = c.team_id, generate_series(1,1) g WHERE c.patient_id % 2 = 0;
COMMIT;
ANALYZE;
