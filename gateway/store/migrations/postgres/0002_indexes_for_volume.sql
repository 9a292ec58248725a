-- _answered_early looks up a conversation's answers in the inbox on every delivered question: without
-- this index that is a scan of the whole inbox per message (found by `python -m bench`).
CREATE INDEX inbox_conversatie ON inbox (conversatie, received_at);
