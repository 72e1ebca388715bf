// The channel's health as `sandgate channels status` and /metrics show it: connection state, the
// reason when it is in error, the last error seen (any call), and who the bot is.

import type { ChannelState, ChannelStatus } from '../channel.js';

export class StatusTracker {
  private state: ChannelState = 'stopped';
  private detail: string | undefined;
  private lastError: ChannelStatus['lastError'];
  private identity: string | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  set(state: ChannelState, detail?: string): void {
    this.state = state;
    this.detail = detail;
  }

  identify(identity: string): void {
    this.identity = identity;
  }

  connected(): void {
    this.set('connected');
  }

  /** Record a failure; `state` (when given) also changes what the channel reports. */
  failed(message: string, state?: ChannelState, detail?: string): void {
    this.lastError = { message, at: new Date(this.now()).toISOString() };
    if (state) this.set(state, detail ?? message);
  }

  get current(): ChannelState {
    return this.state;
  }

  snapshot(): ChannelStatus {
    const s: ChannelStatus = { state: this.state };
    if (this.detail !== undefined) s.detail = this.detail;
    if (this.lastError) s.lastError = { ...this.lastError };
    if (this.identity !== undefined) s.identity = this.identity;
    return s;
  }
}
