-- skp-gateway store, SQLite. Timestamps: fixed-width UTC text (YYYY-MM-DDTHH:MM:SS.ffffffZ).
CREATE TABLE outbox (
    referentienummer TEXT PRIMARY KEY,
    seq              INTEGER NOT NULL DEFAULT 0,
    berichttype      TEXT NOT NULL,
    ontvanger        TEXT NOT NULL,
    conversatie      TEXT NOT NULL,
    document         BLOB,
    sha256           TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'delivered', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    claims           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    deadline         TEXT NOT NULL,
    lease_owner      TEXT,
    lease_until      TEXT,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    purged_at        TEXT
);
-- statement
CREATE TRIGGER outbox_seq AFTER INSERT ON outbox
BEGIN
    UPDATE outbox SET seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox) WHERE rowid = NEW.rowid;
END;
-- statement
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
-- statement
CREATE INDEX outbox_conversatie ON outbox (conversatie, seq);
-- statement
CREATE TABLE outbox_attempt (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    referentienummer TEXT NOT NULL REFERENCES outbox (referentienummer),
    attempt_no       INTEGER NOT NULL,
    owner            TEXT NOT NULL,
    started_at       TEXT NOT NULL,
    duration_ms      INTEGER NOT NULL,
    outcome          TEXT NOT NULL,
    code             TEXT,
    reason           TEXT NOT NULL,
    receipt          BLOB
);
-- statement
CREATE INDEX outbox_attempt_ref ON outbox_attempt (referentienummer, attempt_no);
-- statement
CREATE TABLE inbox (
    referentienummer TEXT PRIMARY KEY,
    berichttype      TEXT NOT NULL,
    afzender         TEXT NOT NULL,
    ontvanger        TEXT,
    conversatie      TEXT,
    document         BLOB,
    sha256           TEXT NOT NULL,
    envelope         BLOB,
    valid            INTEGER NOT NULL,
    problems         TEXT NOT NULL,
    json_body        BLOB,
    state            TEXT NOT NULL CHECK (state IN ('received', 'decoded', 'delivered', 'quarantined')),
    received_at      TEXT NOT NULL,
    hub_received_at  TEXT,
    confirmed_at     TEXT,
    updated_at       TEXT NOT NULL,
    purged_at        TEXT
);
-- statement
CREATE INDEX inbox_state ON inbox (state, received_at);
-- statement
CREATE TABLE quarantine (
    referentienummer            TEXT PRIMARY KEY REFERENCES inbox (referentienummer),
    afzender                    TEXT NOT NULL,
    berichttype                 TEXT NOT NULL,
    problems                    TEXT NOT NULL,
    foutbericht_referentienummer TEXT,
    note                        TEXT NOT NULL,
    created_at                  TEXT NOT NULL
);
-- statement
CREATE TABLE conversation (
    conversatie            TEXT PRIMARY KEY,
    vraag_referentienummer TEXT NOT NULL,
    vraag_berichttype      TEXT NOT NULL,
    tegenpartij            TEXT NOT NULL,
    wacht_op               TEXT NOT NULL CHECK (wacht_op IN ('tegenpartij', 'ons')),
    verwachte_antwoorden   TEXT NOT NULL,
    antwoord_uiterlijk     TEXT,
    state                  TEXT NOT NULL CHECK (state IN ('open', 'answered')),
    geopend_op             TEXT NOT NULL,
    beantwoord_door        TEXT,
    beantwoord_op          TEXT,
    updated_at             TEXT NOT NULL
);
-- statement
CREATE INDEX conversation_due ON conversation (state, antwoord_uiterlijk);
-- statement
CREATE TABLE sink_delivery (
    seq              INTEGER NOT NULL DEFAULT 0,
    referentienummer TEXT NOT NULL REFERENCES inbox (referentienummer),
    sink             TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'delivering', 'delivered', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    deadline         TEXT NOT NULL,
    lease_owner      TEXT,
    lease_until      TEXT,
    last_error       TEXT,
    delivered_at     TEXT,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (referentienummer, sink)
);
-- statement
CREATE TRIGGER sink_delivery_seq AFTER INSERT ON sink_delivery
BEGIN
    UPDATE sink_delivery SET seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM sink_delivery) WHERE rowid = NEW.rowid;
END;
-- statement
CREATE INDEX sink_delivery_due ON sink_delivery (state, next_attempt_at);
-- statement
CREATE TABLE kv (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
