-- Dashboard devices (pairing/devices): browser keypairs that may use the dashboard once approved,
-- single-use login nonces, cookie sessions bound to a device, and one-time login links from the CLI.
-- Secrets (nonces, session ids, link secrets) are stored only as SHA-256 hashes.

CREATE TABLE devices (
  id           TEXT    PRIMARY KEY,          -- base32 of SHA-256 over the SPKI public key, 20 characters
  public_key   TEXT    NOT NULL,             -- SPKI (ECDSA P-256), base64url
  label        TEXT    NOT NULL DEFAULT '',  -- what the browser said it is ("Chrome on Linux")
  state        TEXT    NOT NULL,             -- pending | approved | revoked | expired
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER,                      -- while pending: unapproved requests lapse
  decided_at   INTEGER,
  decided_by   TEXT,
  last_seen_at INTEGER
);
CREATE INDEX devices_state ON devices (state, expires_at);

CREATE TABLE device_nonces (
  nonce_hash TEXT    PRIMARY KEY,
  device_id  TEXT    NOT NULL,
  public_key TEXT    NOT NULL,
  link_id    INTEGER,                        -- set when the login came through a one-time link
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER
);
CREATE INDEX device_nonces_expiry ON device_nonces (expires_at);

CREATE TABLE device_sessions (
  id_hash      TEXT    PRIMARY KEY,
  device_id    TEXT    NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  csrf_token   TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
);
CREATE INDEX device_sessions_device ON device_sessions (device_id);

CREATE TABLE dashboard_links (
  id          INTEGER PRIMARY KEY,
  secret_hash TEXT    NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER,
  used_by     TEXT                           -- the device it approved
);
