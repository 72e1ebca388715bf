// The access step (DESIGN §3 step 3): may this sender, in this conversation, reach a command or
// an agent? The policy itself lives in pairing/; the gateway only asks and acts on the answer.

import type { InboundRow } from '../store/repos/inbound-repo.js';

export type AccessDecision =
  /** Go on to routing. */
  | { allow: true }
  /**
   * Stop here. `hold` keeps the message for replay on approval (state `held`); otherwise it is
   * `rejected`. `reply` is sent to the sender through the outbox (e.g. the pairing code), at most once.
   */
  | { allow: false; reason: string; hold?: boolean; reply?: string };

export interface AccessControl {
  check(msg: InboundRow): AccessDecision | Promise<AccessDecision>;
}

/**
 * The gateway's default when it is handed no policy (the running gateway gets pairing/'s): the local
 * channel (whose API needs the gateway token) is the owner, every other channel is refused.
 */
export const localOwnerOnly: AccessControl = {
  check: (msg) =>
    msg.channel === 'local' ? { allow: true } : { allow: false, reason: 'no access policy for this channel' },
};
