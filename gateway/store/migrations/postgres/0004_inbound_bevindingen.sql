-- The findings about a received message (the Gedragscode and consistency rules, and any other check):
-- a JSON list of {code, severity, field, message}, delivered with the message and kept with the audit
-- row when retention drops the payload.
ALTER TABLE inbox ADD COLUMN bevindingen TEXT NOT NULL DEFAULT '[]';
