// Per-conversation state the gateway keeps between messages: which agent plain text goes to.

import type { Db } from '../db.js';

export class ConversationsRepo {
  private readonly agentStmt;
  private readonly setAgentStmt;

  constructor(db: Db) {
    this.agentStmt = db.prepare('SELECT agent FROM conversations WHERE key = ?');
    this.setAgentStmt = db.prepare(
      `INSERT INTO conversations (key, channel, agent, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET agent = excluded.agent, updated_at = excluded.updated_at`,
    );
  }

  agentFor(key: string): string | undefined {
    const r = this.agentStmt.get(key) as { agent: string | null } | undefined;
    return r?.agent ?? undefined;
  }

  setAgent(key: string, channel: string, agent: string | null): void {
    this.setAgentStmt.run(key, channel, agent, Date.now());
  }
}
