-- Idempotency of submissions is judged on what the caller sent, not on the document the gateway
-- filled in (a retry overlapping its original could not see the stored DatumTijd and got a false
-- 409): the SHA-256 of the caller's submission in canonical JSON. NULL for messages the gateway
-- makes itself (a Foutbericht): those are compared on their document.
ALTER TABLE outbox ADD COLUMN submission_sha256 TEXT;
