// The Bolt Receiver behind both transports (the gateway's HTTP route and Socket Mode): it hands each
// payload to Bolt's App.processEvent and decides WHEN Slack gets its acknowledgement. Bolt acks
// Events API payloads before the listeners run; here that ack is held until every listener finished,
// i.e. the message is persisted (DESIGN §3 step 2) — a failure leaves the event unacknowledged and
// Slack redelivers it. Commands and interactivity are answered the moment a listener calls ack().

import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Logger } from 'pino';

export interface Envelope {
  body: Record<string, unknown>;
  retryNum?: number;
  retryReason?: string;
}

/** What to answer Slack with: nothing (an empty 200 / bare ack) or the listener's ack() argument. */
export interface Acknowledgement {
  response?: unknown;
}

export class GatewayReceiver implements Receiver {
  private app: App | undefined;

  constructor(
    private readonly log: Logger,
    /** A command nobody acknowledged by then gets an empty acknowledgement (Slack waits 3 s). */
    private readonly ackTimeoutMs = 2800,
    private readonly transport: { start(): Promise<unknown>; stop(): Promise<unknown> } = {
      start: async () => undefined,
      stop: async () => undefined,
    },
  ) {}

  init(app: App): void {
    this.app = app;
  }

  start(): Promise<unknown> {
    return this.transport.start();
  }

  stop(): Promise<unknown> {
    return this.transport.stop();
  }

  get ready(): boolean {
    return this.app !== undefined;
  }

  /**
   * Runs one payload through Bolt. Events API: resolves after the listeners finished, rejects when
   * one failed (do not acknowledge). Anything else: resolves with the first ack() (or empty after
   * the ack timeout); a listener failing after its ack is only logged.
   */
  dispatch(envelope: Envelope): Promise<Acknowledgement> {
    const app = this.app;
    if (!app) return Promise.reject(new Error('the Slack app is not started yet'));
    const isEvent = envelope.body.type === 'event_callback';
    let acked = false;
    let response: unknown;
    let onAck: (a: Acknowledgement) => void = () => {};
    const ackCalled = new Promise<Acknowledgement>((resolve) => {
      onAck = resolve;
    });
    const event: ReceiverEvent = {
      body: envelope.body,
      ...(envelope.retryNum !== undefined ? { retryNum: envelope.retryNum } : {}),
      ...(envelope.retryReason !== undefined ? { retryReason: envelope.retryReason } : {}),
      ack: async (r?: unknown) => {
        if (acked) return;
        acked = true;
        response = r;
        onAck(r === undefined ? {} : { response: r });
      },
    };
    const processing = app.processEvent(event);
    if (isEvent) return processing.then(() => ({}));
    const finished = processing.then(
      () => (acked ? { response } : {}),
      (err: unknown) => {
        if (acked) {
          this.log.warn({ err }, 'slack: a listener failed after acknowledging');
          return { response };
        }
        throw err;
      },
    );
    finished.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Acknowledgement>((resolve) => {
      timer = setTimeout(() => {
        if (!acked) this.log.warn('slack: no acknowledgement within the time Slack waits; answered empty');
        resolve({});
      }, this.ackTimeoutMs);
    });
    return Promise.race([ackCalled, finished, timeout]).finally(() => clearTimeout(timer));
  }
}
