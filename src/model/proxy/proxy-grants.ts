// Per-run tokens for the model proxy: a run that lets a sandboxed program (Claude Code) call the
// model gets a random token instead of the key, valid only for that run and only on the way it was
// issued for (one sandbox's inside port, or the public route). Revoked when the run ends.

import { randomBytes } from 'node:crypto';
import type { BudgetExceededError } from '../errors.js';
import { emptyUsage, type UsageTotals } from '../types.js';

/** Where a request reached the proxy: through one sandbox's inside port, or the gateway's public URL. */
export type ProxyVia = { kind: 'tunnel'; sandboxId: string } | { kind: 'public' };

export interface ProxyGrant {
  /** What the sandboxed program sends as its API key (`x-api-key` or `Authorization: Bearer`). */
  readonly token: string;
  readonly runId: number;
  /** Whose daily budget pays (`telegram:42`). */
  readonly senderKey: string;
  readonly via: ProxyVia;
  /** Metered model calls of this grant so far (usage + cost, as recorded). */
  readonly usage: UsageTotals;
  calls: number;
  /** Set when a call was refused because the sender's daily budget is spent. */
  readonly refused?: BudgetExceededError;
  /** Aborted at the first refusal: the program would only retry, so its run can stop it. */
  readonly budgetSpent: AbortSignal;
  /** Records a refusal (see `refused`). */
  refuse(err: BudgetExceededError): void;
  /** Aborted on revoke: in-flight upstream requests stop with the run. */
  readonly signal: AbortSignal;
  /** Ends the grant: its token gets 401 from now on. Idempotent. */
  revoke(): void;
}

function sameVia(a: ProxyVia, b: ProxyVia): boolean {
  return a.kind === b.kind && (a.kind === 'public' || a.sandboxId === (b as { sandboxId: string }).sandboxId);
}

export class ProxyGrants {
  private readonly live = new Map<string, ProxyGrant>();

  issue(run: { runId: number; senderKey: string; via: ProxyVia }): ProxyGrant {
    const token = `sgp-${randomBytes(24).toString('base64url')}`;
    const ctl = new AbortController();
    const spent = new AbortController();
    const grant: ProxyGrant & { refused?: BudgetExceededError } = {
      token,
      runId: run.runId,
      senderKey: run.senderKey,
      via: run.via,
      usage: emptyUsage(),
      calls: 0,
      signal: ctl.signal,
      budgetSpent: spent.signal,
      refuse: (err) => {
        grant.refused ??= err;
        spent.abort(err);
      },
      revoke: () => {
        this.live.delete(token);
        ctl.abort(new Error('the run ended'));
      },
    };
    this.live.set(token, grant);
    return grant;
  }

  /** The live grant for `token` reached `via`, or undefined (unknown, revoked, or another way in). */
  find(token: string | undefined, via: ProxyVia): ProxyGrant | undefined {
    const grant = token ? this.live.get(token) : undefined;
    return grant && sameVia(grant.via, via) ? grant : undefined;
  }

  get size(): number {
    return this.live.size;
  }
}
