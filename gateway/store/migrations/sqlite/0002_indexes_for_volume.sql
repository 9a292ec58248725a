-- Indexes that keep per-message statements independent of the table sizes (found by `python -m bench`).
-- The outbox_seq trigger asks MAX(seq) on every insert: without an index on seq alone that reads the
-- whole outbox (O(n) per message, a throughput drift over a long run).
CREATE INDEX outbox_seq_order ON outbox (seq);
-- statement
-- _answered_early looks up a conversation's answers in the inbox on every delivered question.
CREATE INDEX inbox_conversatie ON inbox (conversatie, received_at);
