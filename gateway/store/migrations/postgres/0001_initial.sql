-- skp-gateway store, PostgreSQL. Timestamps: timestamptz (UTC), answer dates: date.
CREATE TABLE outbox (
    referentienummer TEXT PRIMARY KEY,
    seq              BIGINT GENERATED ALWAYS AS IDENTITY,
    berichttype      TEXT NOT NULL,
    ontvanger        TEXT NOT NULL,
    conversatie      TEXT NOT NULL,
    document         BYTEA,
    sha256           TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'delivered', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    claims           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    deadline         TIMESTAMPTZ NOT NULL,
    lease_owner      TEXT,
    lease_until      TIMESTAMPTZ,
    last_error       TEXT,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    purged_at        TIMESTAMPTZ
);
-- statement
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
-- statement
CREATE INDEX outbox_conversatie ON outbox (conversatie, seq);
-- statement
CREATE TABLE outbox_attempt (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    referentienummer TEXT NOT NULL REFERENCES outbox (referentienummer),
    attempt_no       INTEGER NOT NULL,
    owner            TEXT NOT NULL,
    started_at       TIMESTAMPTZ NOT NULL,
    duration_ms      INTEGER NOT NULL,
    outcome          TEXT NOT NULL,
    code             TEXT,
    reason           TEXT NOT NULL,
    receipt          BYTEA
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
    document         BYTEA,
    sha256           TEXT NOT NULL,
    envelope         BYTEA,
    valid            BOOLEAN NOT NULL,
    problems         TEXT NOT NULL,
    json_body        BYTEA,
    state            TEXT NOT NULL CHECK (state IN ('received', 'decoded', 'delivered', 'quarantined')),
    received_at      TIMESTAMPTZ NOT NULL,
    hub_received_at  TIMESTAMPTZ,
    confirmed_at     TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ NOT NULL,
    purged_at        TIMESTAMPTZ
);
-- statement
CREATE INDEX inbox_state ON inbox (state, received_at);
-- statement
CREATE TABLE quarantine (
    referentienummer             TEXT PRIMARY KEY REFERENCES inbox (referentienummer),
    afzender                     TEXT NOT NULL,
    berichttype                  TEXT NOT NULL,
    problems                     TEXT NOT NULL,
    foutbericht_referentienummer TEXT,
    note                         TEXT NOT NULL,
    created_at                   TIMESTAMPTZ NOT NULL
);
-- statement
CREATE TABLE conversation (
    conversatie            TEXT PRIMARY KEY,
    vraag_referentienummer TEXT NOT NULL,
    vraag_berichttype      TEXT NOT NULL,
    tegenpartij            TEXT NOT NULL,
    wacht_op               TEXT NOT NULL CHECK (wacht_op IN ('tegenpartij', 'ons')),
    verwachte_antwoorden   TEXT NOT NULL,
    antwoord_uiterlijk     DATE,
    state                  TEXT NOT NULL CHECK (state IN ('open', 'answered')),
    geopend_op             TIMESTAMPTZ NOT NULL,
    beantwoord_door        TEXT,
    beantwoord_op          TIMESTAMPTZ,
    updated_at             TIMESTAMPTZ NOT NULL
);
-- statement
CREATE INDEX conversation_due ON conversation (state, antwoord_uiterlijk);
-- statement
CREATE TABLE sink_delivery (
    seq              BIGINT GENERATED ALWAYS AS IDENTITY,
    referentienummer TEXT NOT NULL REFERENCES inbox (referentienummer),
    sink             TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'delivering', 'delivered', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    deadline         TIMESTAMPTZ NOT NULL,
    lease_owner      TEXT,
    lease_until      TIMESTAMPTZ,
    last_error       TEXT,
    delivered_at     TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (referentienummer, sink)
);
-- statement
CREATE INDEX sink_delivery_due ON sink_delivery (state, next_attempt_at);
-- statement
CREATE TABLE kv (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
