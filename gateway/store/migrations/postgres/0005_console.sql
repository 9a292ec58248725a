-- The operator console (/ui): what it searches by, what it records.
-- KlantnummerSHV of each message (the SHV's file number of the client), filled when the message is
-- stored, so the console finds a client's messages without reading every document. Rows stored
-- before this version have none.
ALTER TABLE outbox ADD COLUMN klantnummer_shv TEXT;
-- statement
ALTER TABLE inbox ADD COLUMN klantnummer_shv TEXT;
-- statement
-- The message list is ordered by time (newest or oldest first) and filtered by state, type,
-- counterpart or KlantnummerSHV: one index per filter, each in time order, so a page reads its 50 rows
-- and stops.
CREATE INDEX outbox_time ON outbox (created_at, referentienummer);
-- statement
CREATE INDEX outbox_state_time ON outbox (state, created_at, referentienummer);
-- statement
CREATE INDEX outbox_type_time ON outbox (berichttype, created_at, referentienummer);
-- statement
CREATE INDEX outbox_tegenpartij_time ON outbox (ontvanger, created_at, referentienummer);
-- statement
CREATE INDEX outbox_klantnummer ON outbox (klantnummer_shv, created_at) WHERE klantnummer_shv IS NOT NULL;
-- statement
CREATE INDEX inbox_time ON inbox (received_at, referentienummer);
-- statement
CREATE INDEX inbox_type_time ON inbox (berichttype, received_at, referentienummer);
-- statement
CREATE INDEX inbox_tegenpartij_time ON inbox (afzender, received_at, referentienummer);
-- statement
CREATE INDEX inbox_klantnummer ON inbox (klantnummer_shv, received_at) WHERE klantnummer_shv IS NOT NULL;
-- statement
-- Who did what in the console, when, and with what result (by Referentienummer, never a name).
CREATE TABLE console_action (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at               TIMESTAMPTZ NOT NULL,
    caller           TEXT NOT NULL,
    action           TEXT NOT NULL,
    referentienummer TEXT,
    result           TEXT NOT NULL,
    detail           TEXT NOT NULL
);
-- statement
CREATE INDEX console_action_at ON console_action (at);
