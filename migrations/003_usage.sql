-- Model usage per call (cost accounting, per-sender daily budgets) and agent message threads
-- per conversation (follow-ups continue where the last run left off; /new deletes them).

CREATE TABLE IF NOT EXISTS usage (
  run_id             INTEGER NOT NULL,
  sender_key         TEXT    NOT NULL,
  day                TEXT    NOT NULL,          -- UTC, YYYY-MM-DD
  model              TEXT    NOT NULL,
  input_tokens       INTEGER NOT NULL DEFAULT 0,
  output_tokens      INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens  INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd           REAL    NOT NULL DEFAULT 0,
  at                 TEXT    NOT NULL           -- ISO 8601
);
CREATE INDEX IF NOT EXISTS usage_sender_day ON usage (sender_key, day);
CREATE INDEX IF NOT EXISTS usage_run ON usage (run_id);

CREATE TABLE IF NOT EXISTS agent_threads (
  conversation_key TEXT NOT NULL,
  agent            TEXT NOT NULL,
  messages_json    TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  PRIMARY KEY (conversation_key, agent)
);
