// Row counts per `state` for /metrics and the dashboard; shared by the tables that have one.

import type { Db } from '../db.js';

export function countByState(db: Db, table: 'inbound' | 'runs' | 'deliveries'): Record<string, number> {
  const rows = db.prepare(`SELECT state, COUNT(*) AS n FROM ${table} GROUP BY state`).all() as {
    state: string;
    n: number;
  }[];
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}
