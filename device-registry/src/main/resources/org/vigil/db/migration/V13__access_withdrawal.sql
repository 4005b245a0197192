-- Access that can be withdrawn: doctors' tokens expire and can be revoked, and a doctor can be deactivated.

-- Every token has an end. Tokens issued before this version get 90 days from the upgrade (the default lifetime),
-- not from their issue, so an upgrade does not lock out a doctor at once.
ALTER TABLE doctor_token ADD COLUMN expires_at timestamptz;
UPDATE doctor_token SET expires_at = now() + interval '90 days';
ALTER TABLE doctor_token ALTER COLUMN expires_at SET NOT NULL;

-- A deactivated doctor's tokens are all refused, and her live feeds closed, until she is reactivated; her
-- contracts and alerts stay where they are (an administrator moves them).
ALTER TABLE doctor ADD COLUMN deactivated_at timestamptz;
