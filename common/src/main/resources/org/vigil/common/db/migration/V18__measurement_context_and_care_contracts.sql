-- Issue 14 (chronic-disease management), part 1: the measurement context of glucose readings, and the narrow
-- read contracts through which the chronic module sees other modules' data. The chronic module reads only these
-- views and functions (and its own tables from V19, V20); the modules that own the tables behind them keep
-- them true when their tables change.

-- When a glucose reading was taken relative to meals (org.vigil.common.model.MeasurementContext: 1 fasting,
-- 2 before_meal, 3 after_meal, 4 bedtime, 5 random); NULL for every other metric and for glucometers that do not
-- say. Nullable without a default or a constraint, so adding it rewrites nothing (and TimescaleDB accepts it on a
-- compressed hypertable), and a COPY row carries four bytes for the NULL. Ingest validates the value.
ALTER TABLE reading ADD COLUMN context smallint;

-- Published by ingest: one patient's readings of some metrics in [since, until), newest first. Served by the
-- unique index (patient_id, metric, ts, device_id), so its cost follows the patient's readings in the window,
-- never the table.
CREATE FUNCTION care_readings(pat bigint, metrics smallint[], since timestamptz, until timestamptz)
    RETURNS TABLE (metric smallint, ts timestamptz, value double precision, context smallint)
    LANGUAGE sql STABLE AS $$
    SELECT r.metric, r.ts, r.value, r.context
      FROM reading r
     WHERE r.patient_id = pat AND r.metric = ANY (metrics) AND r.ts >= since AND r.ts < until
     ORDER BY r.ts DESC
$$;

-- Published by ingest: one patient's readings counted per metric and calendar day (in time zone tz) in
-- [since, until), for the home-monitoring adherence the chronic module keeps in its measurement_month table.
CREATE FUNCTION care_reading_days(pat bigint, since timestamptz, until timestamptz, tz text)
    RETURNS TABLE (metric smallint, day date, readings integer)
    LANGUAGE sql STABLE AS $$
    SELECT r.metric, (r.ts AT TIME ZONE tz)::date, count(*)::integer
      FROM reading r
     WHERE r.patient_id = pat AND r.ts >= since AND r.ts < until
     GROUP BY 1, 2
$$;

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

-- Published by alerting: what the alert-response indicators need of each alert, nothing more.
CREATE VIEW alert_response AS
SELECT a.id, a.patient_id, a.doctor_id, a.organisation_id, a.severity, a.status, a.opened_at,
       a.acknowledged_at, cardinality(a.escalated_to) > 0 AS escalated, a.resolved_at, a.disposition
  FROM alert a;
