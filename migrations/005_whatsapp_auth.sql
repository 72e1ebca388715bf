-- WhatsApp (Baileys) linked-device state: the creds document and the Signal keys (sessions, pre-keys,
-- sender keys, app-state keys, LID mappings …), each value BufferJSON-encoded. Wiped together on logout.

CREATE TABLE whatsapp_creds (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  value      TEXT    NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE whatsapp_keys (
  type  TEXT NOT NULL,   -- Baileys' SignalDataTypeMap key: pre-key | session | sender-key | lid-mapping …
  id    TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (type, id)
) WITHOUT ROWID;
