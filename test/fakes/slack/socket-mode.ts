// Slack's Socket Mode, server side: apps.connections.open hands out a single-use wss URL (here ws://),
// the client connects, the server says `hello`, then pushes envelopes
// (`{envelope_id, type: events_api|slash_commands|interactive, payload, accepts_response_payload}`)
// that the client acknowledges with `{envelope_id, payload?}`. A test can drop sockets, send
// `disconnect` (refresh_requested), or go silent (open but nothing arrives: the "zombie" socket).

import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Json } from './fake-state.js';

export type EnvelopeType = 'events_api' | 'slash_commands' | 'interactive';

export interface Ack {
  envelopeId: string;
  payload?: Json;
  at: number;
}

export class SocketModeServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly sockets = new Set<WebSocket>();
  private readonly ackWaiters = new Map<string, (ack: Ack) => void>();
  readonly acks: Ack[] = [];
  /** Connections accepted so far (a reconnect adds one). */
  connections = 0;
  /** While true, new connections get no `hello` and envelopes are not sent (a socket that looks open). */
  silent = false;
  private seq = 0;

  constructor(
    private readonly baseWsUrl: () => string,
    private readonly appId: string,
    private readonly onChange: () => void,
  ) {}

  /** For apps.connections.open: a URL that accepts one connection. */
  openUrl(): string {
    const ticket = randomBytes(8).toString('hex');
    this.tickets.add(ticket);
    return `${this.baseWsUrl()}/link/?ticket=${ticket}&app_id=${this.appId}`;
  }

  get openSockets(): number {
    return [...this.sockets].filter((s) => s.readyState === s.OPEN).length;
  }

  /** The HTTP server's `upgrade` handler. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.connections += 1;
      this.sockets.add(ws);
      ws.on('close', () => {
        this.sockets.delete(ws);
        this.onChange();
      });
      ws.on('message', (data) => this.onMessage(String(data)));
      if (!this.silent) {
        ws.send(
          JSON.stringify({
            type: 'hello',
            num_connections: this.sockets.size,
            debug_info: { host: 'fake-slack', approximate_connection_time: 18060 },
            connection_info: { app_id: this.appId },
          }),
        );
      }
      this.onChange();
    });
  }

  /**
   * Sends one envelope on the newest open socket; resolves with the client's ack. Rejects when no
   * socket is open.
   */
  send(type: EnvelopeType, payload: Json, opts: { retryAttempt?: number } = {}): Promise<Ack> {
    const ws = [...this.sockets].reverse().find((s) => s.readyState === s.OPEN);
    if (!ws || this.silent) return Promise.reject(new Error('fake slack: no open Socket Mode connection'));
    this.seq += 1;
    const envelopeId = `env-${this.seq}-${randomBytes(4).toString('hex')}`;
    const acked = new Promise<Ack>((resolve) => this.ackWaiters.set(envelopeId, resolve));
    ws.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
        ...(type === 'events_api'
          ? { retry_attempt: opts.retryAttempt ?? 0, retry_reason: opts.retryAttempt ? 'timeout' : '' }
          : {}),
      }),
    );
    return acked;
  }

  /** Slack's periodic `disconnect` warning: the client should reconnect. */
  requestRefresh(): void {
    for (const ws of this.sockets)
      ws.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested' }));
  }

  /** Drops every connection without a close handshake (a network failure). */
  drop(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  close(): void {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
  }

  private onMessage(raw: string): void {
    let msg: { envelope_id?: unknown; payload?: unknown };
    try {
      msg = JSON.parse(raw) as typeof msg;
    } catch {
      return;
    }
    if (typeof msg.envelope_id !== 'string') return;
    const ack: Ack = {
      envelopeId: msg.envelope_id,
      ...(msg.payload && typeof msg.payload === 'object' ? { payload: msg.payload as Json } : {}),
      at: Date.now(),
    };
    this.acks.push(ack);
    this.ackWaiters.get(ack.envelopeId)?.(ack);
    this.ackWaiters.delete(ack.envelopeId);
    this.onChange();
  }
}
