-- The patients a doctor may see now, as a set: lists drive from it instead of testing doctor_sees_patient row by
-- row, which read the whole patient table for a village doctor (2.3 s for one page among 100,000 patients, now
-- tens of milliseconds; docs/performance.md). Same rule as doctor_sees_patient: her contracts, her teams'
-- contracts, and for township and county doctors every contract of their organisation's subtree.
CREATE FUNCTION visible_patients(doc bigint) RETURNS TABLE (patient_id bigint) LANGUAGE sql STABLE AS $$
    SELECT c.patient_id FROM contract c
     WHERE c.valid_from <= now() AND (c.valid_to IS NULL OR c.valid_to > now())
       AND (c.doctor_id = doc OR c.team_id IN (SELECT m.team_id FROM team_member m WHERE m.doctor_id = doc))
    UNION
    SELECT c.patient_id
      FROM doctor d
      JOIN organisation mine ON mine.id = d.organisation_id AND mine.tier <> 'village'
      JOIN organisation o ON o.path LIKE mine.path || '%'
      JOIN team t ON t.organisation_id = o.id
      JOIN contract c ON c.team_id = t.id
     WHERE d.id = doc AND c.valid_from <= now() AND (c.valid_to IS NULL OR c.valid_to > now())
$$;
