-- The unit of an alert's figures (value, last_value, worst_value), in UCUM, where the rule that raised it does not
-- measure them in the metric's own unit: hours for missing data, a score for NEWS2, per cent for a share of readings
-- below range. NULL means the metric's unit. Before this, the API gave the metric's unit for every alert, so a missing
-- weight read "36 kg".
ALTER TABLE alert ADD COLUMN unit text;
-- Alerts raised before: the built-in rule set's ids tell these rules apart (one scan of the table).
UPDATE alert SET unit = CASE WHEN rule = 'news2' THEN '{score}' WHEN rule = 'glucose_low_share' THEN '%' ELSE 'h' END
 WHERE rule LIKE 'missing\_%' OR rule IN ('news2', 'glucose_low_share');
