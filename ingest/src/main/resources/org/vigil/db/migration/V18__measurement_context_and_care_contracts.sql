-- Issue 14 (chronic-disease management): the narrow read contracts through which the chronic module sees other
-- modules' data (V18 ingest, V18.1 registry, V18.2 alerting). The chronic module reads only these views and
-- functions and its own tables (V19, V20); the module that owns the tables behind each keeps it true when they change.

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

