-- Core tables: every inbound message, every run, every outbound delivery, run artifacts,
-- per-conversation state and a small key/value table for channel bookkeeping.

CREATE TABLE inbound (
  id               INTEGER PRIMARY KEY,
  channel          TEXT    NOT NULL,
  platform_id      TEXT    NOT NULL,
  conversation_key TEXT    NOT NULL,
  route_json       TEXT    NOT NULL,
  sender_id        TEXT    NOT NULL,
  sender_name      TEXT    NOT NULL DEFAULT '',
  is_direct        INTEGER NOT NULL,
  mentioned        INTEGER NOT NULL DEFAULT 0,
  text             TEXT    NOT NULL,
  attachments_json TEXT    NOT NULL DEFAULT '[]',
  -- received → (access) → queued | held | rejected; queued → running → done | failed | interrupted | cancelled
  state            TEXT    NOT NULL DEFAULT 'received',
  state_reason     TEXT,
  received_at      INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  UNIQUE (channel, platform_id)
);
CREATE INDEX inbound_state ON inbound (state, id);
CREATE INDEX inbound_conversation ON inbound (conversation_key, id);

CREATE TABLE runs (
  id               INTEGER PRIMARY KEY,
  inbound_id       INTEGER NOT NULL REFERENCES inbound (id),
  channel          TEXT    NOT NULL,
  conversation_key TEXT    NOT NULL,
  kind             TEXT    NOT NULL,          -- command name (sh, py …) or agent name
  state            TEXT    NOT NULL,          -- running | done | failed | interrupted | cancelled
  error            TEXT,
  progress_json    TEXT    NOT NULL DEFAULT '[]',
  usage_json       TEXT,
  started_at       INTEGER NOT NULL,
  finished_at      INTEGER
);
CREATE INDEX runs_state ON runs (state);
CREATE INDEX runs_conversation ON runs (conversation_key, id);

CREATE TABLE artifacts (
  id         INTEGER PRIMARY KEY,
  run_id     INTEGER REFERENCES runs (id),
  kind       TEXT    NOT NULL,                -- image | file
  name       TEXT    NOT NULL,
  mime       TEXT    NOT NULL,
  caption    TEXT,
  data       BLOB    NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX artifacts_run ON artifacts (run_id);

CREATE TABLE deliveries (
  id               INTEGER PRIMARY KEY,
  channel          TEXT    NOT NULL,
  conversation_key TEXT    NOT NULL,
  route_json       TEXT    NOT NULL,
  inbound_id       INTEGER REFERENCES inbound (id),
  run_id           INTEGER REFERENCES runs (id),
  payload_json     TEXT    NOT NULL,          -- { text?, imageIds?, fileIds?, links?, replaces? }
  state            TEXT    NOT NULL DEFAULT 'pending',   -- pending | sent | failed
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT,
  receipt_json     TEXT,
  created_at       INTEGER NOT NULL,
  sent_at          INTEGER
);
CREATE INDEX deliveries_pending ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_conversation ON deliveries (conversation_key, id);

CREATE TABLE conversations (
  key        TEXT PRIMARY KEY,
  channel    TEXT NOT NULL,
  agent      TEXT,
  updated_at INTEGER NOT NULL
);

CREATE TABLE kv (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
