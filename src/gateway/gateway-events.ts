// The gateway's live events (the dashboard's activity stream listens): named once, with their
// payloads, so an emitter and a listener cannot disagree about a shape. Listeners must not throw:
// an exception in one propagates into the run that emitted it.

import type { EventEmitter } from 'node:events';
import type { Progress } from '../../agents/agent.js';
import type { RunState } from '../store/repos/runs-repo.js';

export interface RunStartEvent {
  runId: number;
  conversationKey: string;
  /** The command (`sh`, `code`) or the agent (`coding`) that runs. */
  kind: string;
}

export type RunProgressEvent = Progress & { runId: number; conversationKey: string };

export interface RunFinishEvent {
  runId: number;
  conversationKey: string;
  state: Exclude<RunState, 'running'>;
}

export interface GatewayEventMap {
  'run:start': [RunStartEvent];
  'run:progress': [RunProgressEvent];
  'run:finish': [RunFinishEvent];
}

export type GatewayEvents = EventEmitter<GatewayEventMap>;

export const RUN_EVENTS = [
  'run:start',
  'run:progress',
  'run:finish',
] as const satisfies readonly (keyof GatewayEventMap)[];
