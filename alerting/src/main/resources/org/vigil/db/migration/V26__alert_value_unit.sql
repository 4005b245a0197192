-- The unit of an alert's figures (value, last_value, worst_value), in UCUM, as the rule that raised it measures them:
-- the metric's own for a reading, but hours for missing data, a score for NEWS2 and per cent for a share of readings
-- below range. Before this, the API gave the metric's unit for every alert, so a missing weight read "36 kg".
ALTER TABLE alert ADD COLUMN unit text;
-- Alerts raised before: the built-in rule set's ids tell these rules apart; other rows keep the metric's unit.
UPDATE alert SET unit = 'h' WHERE rule LIKE 'missing\_%';
UPDATE alert SET unit = '{score}' WHERE rule = 'news2';
UPDATE alert SET unit = '%' WHERE rule = 'glucose_low_share';
