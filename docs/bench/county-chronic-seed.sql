-- Chronic care at county scale (docs/performance.md), on top of county-registry-seed.sql: 100,000 patients
-- (50 % hypertension, 30 % diabetes, 10 % both, 10 % COPD) under contract since 2025, a year from 2025-12-01 to
-- 2026-11-30 of: 4 follow-ups for three patients in four (one of them by phone), three control-status spells per
-- patient and condition, the home-reading day counts of every hypertensive patient (two systolic readings on six
-- days in seven: about 39 million readings' worth), care plans expecting two a day, and the 50,000 alerts spread
-- over the year with acknowledgement times.
BEGIN;
UPDATE contract SET valid_from = '2025-01-01';
UPDATE patient SET conditions = CASE WHEN id % 10 < 5 THEN '{hypertension}'::text[] WHEN id % 10 < 8 THEN '{diabetes}'
                                     WHEN id % 10 = 8 THEN '{hypertension,diabetes}' ELSE '{copd}' END;
INSERT INTO care_plan (patient_id, version, plan, changed_by)
SELECT id, 1, '{"expected": [{"metric": "systolic_bp", "every": "PT12H"}]}', 'seed'
  FROM patient WHERE 'hypertension' = ANY (conditions);
INSERT INTO follow_up (patient_id, conditions, done_on, type, doctor_id, measurements, classification, next_rule,
                       next_due, referral_suggested, recorded_by, recorded_at)
SELECT c.patient_id, p.conditions, date '2025-12-15' + q * 91, CASE WHEN q = 3 THEN 'phone' ELSE 'face_to_face' END,
       c.doctor_id, '{"systolic_bp": 132, "diastolic_bp": 82}', 'controlled', 'routine', date '2025-12-15' + q * 91 + 90,
       false, 'seed', now()
  FROM contract c JOIN patient p ON p.id = c.patient_id, generate_series(0, 3) q
 WHERE c.patient_id % 4 <> 0;
INSERT INTO control_status (patient_id, condition, status, since_at, until_at, figures, evaluated_at)
SELECT p.id, cond, (ARRAY['unknown', 'uncontrolled', 'controlled'])[1 + ((p.id + s) % 3)],
       timestamptz '2025-12-01' + s * interval '120 days',
       CASE WHEN s < 2 THEN timestamptz '2025-12-01' + (s + 1) * interval '120 days' END, '{}', now()
  FROM patient p, unnest(p.conditions) AS cond, generate_series(0, 2) s;
INSERT INTO measurement_month (patient_id, metric, month, days, total)
SELECT id, 1, month, days, (SELECT sum(x) FROM unnest(days) x)
  FROM (SELECT p.id, m::date AS month,
               (SELECT array_agg(CASE WHEN (d + p.id) % 7 = 0 THEN 0 ELSE 2 END ORDER BY d)
                  FROM generate_series(1, extract(day FROM m + interval '1 month' - interval '1 day')::int) d) AS days
          FROM patient p, generate_series(date '2025-12-01', date '2026-11-01', interval '1 month') m
         WHERE 'hypertension' = ANY (p.conditions)) AS months;
UPDATE alert SET opened_at = timestamptz '2025-12-01' + (id % 360) * interval '1 day',
                 acknowledged_at = timestamptz '2025-12-01' + (id % 360) * interval '1 day' + (id % 3600) * interval '1 second',
                 resolved_at = timestamptz '2025-12-01' + (id % 360) * interval '1 day' + interval '2 hours',
                 severity = CASE WHEN id % 5 = 0 THEN 'critical' ELSE 'warning' END,
                 disposition = (ARRAY['contacted_patient', 'false_alarm', 'referred'])[1 + id % 3],
                 escalated_to = CASE WHEN id % 10 = 0 THEN '{1}'::bigint[] ELSE '{}' END;
COMMIT;
ANALYZE;
