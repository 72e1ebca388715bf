-- What a message carries besides its text (forwarded from whom, the message it replies to, the album it
-- belongs to, an edit, a kind we cannot take) and when it was held for a pairing approval: a message
-- replayed after approval is judged by the rights its sender had when it was sent.

ALTER TABLE inbound ADD COLUMN context_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE inbound ADD COLUMN held_at INTEGER;
