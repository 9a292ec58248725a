-- The claim walks due rows in the order it hands them out (next_attempt_at, seq) and stops at its
-- limit, instead of checking and sorting the whole backlog: with 40,000 queued rows a claim took
-- ~75 ms before (found by the soak of `python -m bench`: throughput fell as the backlog grew).
-- outbox_due (state, next_attempt_at) is a prefix of the new index, so it goes.
CREATE INDEX outbox_claim_order ON outbox (state, next_attempt_at, seq);
-- statement
DROP INDEX outbox_due;
