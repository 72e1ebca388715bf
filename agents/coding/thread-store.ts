// Message threads persisted per conversation and agent, so a follow-up ("make the ship red") continues
// where the last run stopped; /new calls reset(). A row that no longer parses is treated as no thread.

import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { MessageParam } from '../../src/model/types.js';

export interface ThreadStore {
  load(conversationKey: string, agent: string): MessageParam[] | undefined;
  save(conversationKey: string, agent: string, messages: MessageParam[]): void;
  /** Forgets every agent's thread in the conversation (/new). */
  reset(conversationKey: string): void;
}

const storedThread = z.array(
  z.object({
    role: z.enum(['user', 'assistant']),
    content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]),
  }),
);

/** Backed by the agent_threads table of migrations/003_usage.sql. */
export class SqliteThreadStore implements ThreadStore {
  private readonly get: Database.Statement;
  private readonly put: Database.Statement;
  private readonly del: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.get = db.prepare('SELECT messages_json FROM agent_threads WHERE conversation_key = ? AND agent = ?');
    this.put = db.prepare(
      `INSERT INTO agent_threads (conversation_key, agent, messages_json, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (conversation_key, agent) DO UPDATE SET messages_json = excluded.messages_json, updated_at = excluded.updated_at`,
    );
    this.del = db.prepare('DELETE FROM agent_threads WHERE conversation_key = ?');
  }

  load(conversationKey: string, agent: string): MessageParam[] | undefined {
    const row = this.get.get(conversationKey, agent) as { messages_json: string } | undefined;
    if (!row) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(row.messages_json);
    } catch {
      return undefined;
    }
    const parsed = storedThread.safeParse(json);
    return parsed.success ? (parsed.data as MessageParam[]) : undefined;
  }

  save(conversationKey: string, agent: string, messages: MessageParam[]): void {
    this.put.run(conversationKey, agent, JSON.stringify(messages), this.now().toISOString());
  }

  reset(conversationKey: string): void {
    this.del.run(conversationKey);
  }
}
