-- Each tool call an agent made during a run (the dashboard's tool-call view): what it was asked,
-- what it answered, how long it took, and the tokens of the model turn that asked for it.
CREATE TABLE tool_calls (
  id                  INTEGER PRIMARY KEY,
  run_id              INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  at                  INTEGER NOT NULL,
  agent               TEXT,
  name                TEXT    NOT NULL,
  input_json          TEXT    NOT NULL,
  output              TEXT    NOT NULL,
  is_error            INTEGER NOT NULL DEFAULT 0,
  duration_ms         INTEGER NOT NULL,
  input_tokens        INTEGER NOT NULL DEFAULT 0,
  output_tokens       INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens   INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tool_calls_run ON tool_calls (run_id, id);
