-- A family's file asks of each episode whether its referral brought an indication.
CREATE INDEX indications_referral ON indications(referral_id);
