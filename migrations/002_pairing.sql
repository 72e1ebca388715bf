-- Access control (pairing/): pairing requests of unknown DM senders, per-channel allowlists and owners,
-- reply throttles, and the audit log of every approval, denial and allowlist change.
-- Also marks bot senders on inbound rows, so the access step can ignore other bots.

ALTER TABLE inbound ADD COLUMN is_bot INTEGER NOT NULL DEFAULT 0;

CREATE TABLE pairing_requests (
  id               INTEGER PRIMARY KEY,
  channel          TEXT    NOT NULL,
  sender_id        TEXT    NOT NULL,
  sender_name      TEXT    NOT NULL DEFAULT '',
  conversation_key TEXT    NOT NULL,
  route_json       TEXT    NOT NULL,
  -- the sender's first message, kept (inbound state `held`) until the request is decided
  inbound_id       INTEGER REFERENCES inbound (id),
  -- the plain code exists only while the request is pending; used and expired codes leave only their hash,
  -- which is enough to tell "already approved" / "expired" apart from "unknown code"
  code             TEXT,
  code_hash        TEXT    NOT NULL,
  state            TEXT    NOT NULL DEFAULT 'pending',   -- pending | approved | denied | expired
  -- 1 once the kept message was handed back to the pipeline (approved) or rejected (denied, expired)
  settled          INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL,
  expires_at       INTEGER NOT NULL,
  decided_at       INTEGER,
  decided_by       TEXT
);
CREATE UNIQUE INDEX pairing_pending_sender ON pairing_requests (channel, sender_id) WHERE state = 'pending';
CREATE UNIQUE INDEX pairing_pending_code ON pairing_requests (channel, code) WHERE code IS NOT NULL;
CREATE INDEX pairing_code_hash ON pairing_requests (channel, code_hash);
CREATE INDEX pairing_state ON pairing_requests (state, expires_at);

-- "Do not answer this sender again before `until`": after a full-queue notice (capped) or a denial (denied).
CREATE TABLE pairing_throttle (
  channel   TEXT    NOT NULL,
  sender_id TEXT    NOT NULL,
  reason    TEXT    NOT NULL,
  until     INTEGER NOT NULL,
  PRIMARY KEY (channel, sender_id)
);

-- kind `sender`: a user id as the channel reports it; kind `group`: a conversation key (see pairing/policies.ts).
CREATE TABLE allowlist (
  channel  TEXT    NOT NULL,
  kind     TEXT    NOT NULL,
  subject  TEXT    NOT NULL,
  name     TEXT    NOT NULL DEFAULT '',
  added_by TEXT    NOT NULL,
  added_at INTEGER NOT NULL,
  PRIMARY KEY (channel, kind, subject)
);

CREATE TABLE channel_owners (
  channel   TEXT    PRIMARY KEY,
  sender_id TEXT    NOT NULL,
  since     INTEGER NOT NULL
);

CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  action      TEXT    NOT NULL,   -- pairing.approve | pairing.deny | allow.add | allow.remove | owner.set | owner.clear
  channel     TEXT    NOT NULL,
  subject     TEXT    NOT NULL,
  actor       TEXT    NOT NULL,   -- cli | dashboard | chat:<channel>:<sender id> | system
  detail_json TEXT
);
CREATE INDEX audit_at ON audit_log (at, id);
