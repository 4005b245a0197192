-- Published by ingest: how many readings of one metric a patient has in [since, until), and their sum. A mean over
-- a window is then two numbers however often the metric is measured: a wearer's week of SpO2 at one reading a
-- minute is 10,080 rows, which care_readings would hand over one by one at every re-evaluation.
CREATE FUNCTION care_reading_totals(pat bigint, metric smallint, since timestamptz, until timestamptz)
    RETURNS TABLE (readings integer, total double precision)
    LANGUAGE sql STABLE AS $$
    SELECT count(*)::integer, coalesce(sum(r.value), 0)
      FROM reading r
     WHERE r.patient_id = pat AND r.metric = $2 AND r.ts >= since AND r.ts < until
$$;
