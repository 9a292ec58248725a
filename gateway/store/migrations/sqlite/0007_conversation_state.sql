-- The conversation as a state machine (gateway.conversatie): its phase, whether the creditor agreed in
-- advance, whether the awaited answer has a term, a step count for compare-and-set writes, where it
-- came from (gateway, import of a previous system's conversations, or adopted from an answer), and
-- the steps an import named.
ALTER TABLE conversation ADD COLUMN fase TEXT NOT NULL DEFAULT '';
-- statement
ALTER TABLE conversation ADD COLUMN vooraf_akkoord INTEGER NOT NULL DEFAULT 0;
-- statement
ALTER TABLE conversation ADD COLUMN termijn INTEGER NOT NULL DEFAULT 0;
-- statement
ALTER TABLE conversation ADD COLUMN stappen INTEGER NOT NULL DEFAULT 1;
-- statement
ALTER TABLE conversation ADD COLUMN bron TEXT NOT NULL DEFAULT 'gateway';
-- statement
ALTER TABLE conversation ADD COLUMN geimporteerd TEXT;
-- statement
-- Existing rows: an open question gives its phase; an answered one the phase its answer led to.
UPDATE conversation SET fase = CASE vraag_berichttype
    WHEN 'Kennisgeving' THEN 'kennisgeving'
    WHEN 'KennisgevingPubliek' THEN 'kennisgeving'
    WHEN 'Saldoverzoek' THEN 'saldo-gevraagd'
    WHEN 'Betaalvoorstel' THEN 'voorstel'
    WHEN 'Heroverweging' THEN 'voorstel'
    WHEN 'Statusverzoek' THEN 'status-gevraagd'
    ELSE 'status-gevraagd' END
WHERE state = 'open';
-- statement
UPDATE conversation SET fase = CASE (
        SELECT b.berichttype FROM (
            SELECT referentienummer, berichttype FROM inbox
            UNION ALL SELECT referentienummer, berichttype FROM outbox) b
        WHERE b.referentienummer = conversation.beantwoord_door LIMIT 1)
    WHEN 'KennisgevingAntwoord' THEN 'gemeld'
    WHEN 'GeenMedewerking' THEN 'geen-medewerking'
    WHEN 'SaldoverzoekAntwoord' THEN 'saldo-ontvangen'
    WHEN 'SaldoverzoekAntwoordVoorafAkkoord' THEN 'vooraf-akkoord'
    WHEN 'BetaalvoorstelAntwoord' THEN 'akkoord'
    WHEN 'StatusberichtSHV' THEN 'status-gegeven'
    ELSE CASE vraag_berichttype
        WHEN 'Kennisgeving' THEN 'gemeld'
        WHEN 'KennisgevingPubliek' THEN 'gemeld'
        WHEN 'Saldoverzoek' THEN 'saldo-ontvangen'
        WHEN 'Statusverzoek' THEN 'status-gegeven'
        ELSE 'akkoord' END
    END
WHERE state = 'answered';
-- statement
UPDATE conversation SET fase = 'niet-akkoord'
WHERE fase = 'akkoord' AND (
    EXISTS (SELECT 1 FROM inbox i WHERE i.referentienummer = conversation.beantwoord_door
            AND CAST(i.json_body AS TEXT) LIKE '%"antwoord":"NietAkkoord"%')
    OR EXISTS (SELECT 1 FROM outbox o WHERE o.referentienummer = conversation.beantwoord_door
            AND CAST(o.document AS TEXT) LIKE '%>NietAkkoord</%'));
-- statement
UPDATE conversation SET vooraf_akkoord = 1 WHERE fase = 'vooraf-akkoord';
-- statement
UPDATE conversation SET fase = 'regeling'
WHERE fase IN ('akkoord', 'vooraf-akkoord') AND (
    EXISTS (SELECT 1 FROM outbox o WHERE o.conversatie = conversation.conversatie
            AND o.berichttype = 'SchuldregelingAkkoord')
    OR EXISTS (SELECT 1 FROM inbox i WHERE i.conversatie = conversation.conversatie
            AND i.berichttype = 'SchuldregelingAkkoord' AND i.state <> 'quarantined'));
-- statement
UPDATE conversation SET fase = 'beeindigd'
WHERE fase = 'regeling' AND (
    EXISTS (SELECT 1 FROM outbox o WHERE o.conversatie = conversation.conversatie
            AND o.berichttype = 'SchuldregelingBeeindigd')
    OR EXISTS (SELECT 1 FROM inbox i WHERE i.conversatie = conversation.conversatie
            AND i.berichttype = 'SchuldregelingBeeindigd' AND i.state <> 'quarantined'));
-- statement
UPDATE conversation SET termijn = 1
WHERE state = 'open' AND fase IN ('saldo-gevraagd', 'voorstel', 'status-gevraagd');
-- statement
-- The sender's OIN as the hub states it in HaalBerichtenOp (checked against the address book).
ALTER TABLE inbox ADD COLUMN afzender_oin TEXT;
-- statement
-- A message the hub offered under a Referentienummer we already hold with other content: refused
-- (the first is kept), answered with a Foutbericht, never handed to a sink.
CREATE TABLE inbox_duplicate (
    referentienummer             TEXT NOT NULL,
    sha256                       TEXT NOT NULL,
    afzender                     TEXT NOT NULL,
    berichttype                  TEXT NOT NULL,
    document                     BLOB,
    problems                     TEXT NOT NULL,
    foutbericht_referentienummer TEXT,
    note                         TEXT NOT NULL,
    received_at                  TEXT NOT NULL,
    PRIMARY KEY (referentienummer, sha256)
);
