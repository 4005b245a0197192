-- Home blood pressures for the alerting rebuild at county scale (docs/performance.md), on top of
-- county-registry-seed.sql and county-chronic-seed.sql: every patient whose care plan expects measurements (the
-- 60,000 hypertensive ones, systolic every 12 hours) measured at 07:30 and 19:30 China time on each of the last 16
-- days (the engine's lookback, PT384H), each measurement a systolic, diastolic and pulse reading: about 5.8 million
-- readings. The device id is the patient's (no device rows: the rebuild reads readings, not devices).
BEGIN;
INSERT INTO reading (patient_id, metric, ts, device_id, value)
SELECT p.id, m.code, t, p.id, CASE m.code WHEN 1 THEN 120 + p.id % 40 WHEN 2 THEN 75 + p.id % 20 ELSE 60 + p.id % 30 END
  FROM patient p
  CROSS JOIN generate_series(date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') - interval '16 days',
                             now() AT TIME ZONE 'Asia/Shanghai', interval '12 hours') AS local_day(at)
  CROSS JOIN LATERAL (SELECT (local_day.at + interval '7 hours 30 minutes') AT TIME ZONE 'Asia/Shanghai' AS t) AS m_at
  CROSS JOIN (VALUES (1), (2), (3)) AS m(code)
 WHERE 'hypertension' = ANY (p.conditions) AND t <= now();
COMMIT;
ANALYZE reading;
