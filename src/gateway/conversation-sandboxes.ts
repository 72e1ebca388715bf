// The narrow view of sandbox leasing the gateway needs (src/sandbox implements it): the
// conversation's sandbox on demand, and throwing it away on /new.

import type { Sandbox } from '../sandbox/provider.js';

export interface SandboxLeases {
  acquire(conversationKey: string): Promise<Sandbox>;
  discard(conversationKey: string): Promise<void>;
}
