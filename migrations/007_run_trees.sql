-- The tree of agents a run grew (/rlm: the root, its sub-agents, each iteration's code and output),
-- one JSON document per run, rewritten as the run goes so `runs show` and the dashboard see it live.

CREATE TABLE IF NOT EXISTS run_trees (
  run_id     INTEGER PRIMARY KEY,
  tree_json  TEXT    NOT NULL,
  updated_at INTEGER NOT NULL          -- ms since the epoch
);
