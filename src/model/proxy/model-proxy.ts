// The model proxy: an Anthropic-compatible endpoint for programs in sandboxes (Claude Code). It
// accepts only a live run's token (else 401), checks the sender's daily budget (402 when spent),
// swaps in the real key, streams the answer back unchanged, and meters tokens and cost per call.

import type { Logger } from 'pino';
import { HOP_BY_HOP_HEADERS } from '../../http/hop-by-hop.js';
import type { DailyBudget } from '../daily-budget.js';
import { BudgetExceededError, modelErrorReply } from '../errors.js';
import { costUsd } from '../pricing.js';
import { addUsage, type UsageTotals } from '../types.js';
import { type UsageRepository, utcDay } from '../usage-repository.js';
import type { ProxyGrant, ProxyGrants, ProxyVia } from './proxy-grants.js';
import { type MeteredCall, UsageMeter } from './usage-meter.js';

export interface ModelProxyDeps {
  /** The real key: added to forwarded requests, never returned or logged. */
  apiKey: string;
  /** anthropic.baseUrl when set; else the API itself. */
  upstream?: string;
  grants: ProxyGrants;
  usage?: UsageRepository;
  budget?: DailyBudget;
  log: Logger;
  now?: () => Date;
  fetch?: typeof fetch;
}

/** The Messages API routes a CLI needs (`?beta=true` and the like pass through). */
const ROUTES = new Set(['/v1/messages', '/v1/messages/count_tokens']);
/** The Messages API's documented request size limit. */
const MAX_REQUEST_BYTES = 32 * 1024 * 1024;
/** Request headers never forwarded: credentials (replaced), hop-by-hop, and compression (we meter the body). */
const DROP_REQUEST = new Set([
  ...HOP_BY_HOP_HEADERS,
  'host',
  'authorization',
  'x-api-key',
  'cookie',
  'content-length',
  'accept-encoding',
  'forwarded',
]);
const DROP_RESPONSE = new Set([...HOP_BY_HOP_HEADERS, 'content-length', 'content-encoding']);

/** An error in the Messages API's own shape, so the client reports it as the API would. */
export function apiError(status: number, type: string, message: string): Response {
  return Response.json({ type: 'error', error: { type, message } }, { status });
}

function tokenOf(req: Request): string | undefined {
  const key = req.headers.get('x-api-key');
  if (key) return key;
  const auth = req.headers.get('authorization');
  return auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
}

async function readCapped(req: Request): Promise<Buffer | undefined> {
  if (Number(req.headers.get('content-length') ?? 0) > MAX_REQUEST_BYTES) return undefined;
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of (req.body ?? []) as AsyncIterable<Uint8Array>) {
    size += part.length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    parts.push(part);
  }
  return Buffer.concat(parts);
}

export class ModelProxy {
  private readonly upstream: string;
  private readonly fetch: typeof fetch;
  private readonly now: () => Date;

  constructor(private readonly d: ModelProxyDeps) {
    this.upstream = (d.upstream ?? 'https://api.anthropic.com').replace(/\/+$/, '');
    this.fetch = d.fetch ?? fetch;
    this.now = d.now ?? (() => new Date());
  }

  get grants(): ProxyGrants {
    return this.d.grants;
  }

  /**
   * Serves one request that reached the proxy `via` a sandbox's inside port or the public route;
   * `path` is the part after the proxy's root (`/v1/messages`). Never throws: failures are API errors.
   */
  async handle(req: Request, via: ProxyVia, path: string): Promise<Response> {
    const grant = this.d.grants.find(tokenOf(req), via);
    if (!grant)
      return apiError(
        401,
        'authentication_error',
        'invalid x-api-key (the run this token was for has ended)',
      );
    if (req.method !== 'POST' || !ROUTES.has(path))
      return apiError(
        404,
        'not_found_error',
        `the sandgate model proxy serves POST /v1/messages only, not ${req.method} ${path}`,
      );
    const body = await readCapped(req).catch(() => undefined);
    if (!body) return apiError(413, 'request_too_large', `request body over ${MAX_REQUEST_BYTES} bytes`);
    let model = '';
    try {
      model = String((JSON.parse(Buffer.from(body).toString('utf8')) as { model?: unknown }).model ?? '');
    } catch {
      return apiError(400, 'invalid_request_error', 'request body is not JSON');
    }
    const metered = path === '/v1/messages';
    if (metered) {
      try {
        this.d.budget?.check(grant.senderKey);
      } catch (err) {
        if (!(err instanceof BudgetExceededError)) throw err;
        grant.refuse(err);
        this.d.log.info(
          { runId: grant.runId, kind: err.kind },
          'model proxy: daily budget spent, call refused',
        );
        return apiError(402, 'billing_error', modelErrorReply(err) ?? err.message);
      }
    }
    return await this.forward(req, grant, path, body, metered ? model : undefined);
  }

  private async forward(
    req: Request,
    grant: ProxyGrant,
    path: string,
    body: Buffer,
    meterModel: string | undefined,
  ): Promise<Response> {
    const headers = new Headers();
    req.headers.forEach((v, k) => {
      if (!DROP_REQUEST.has(k) && !k.startsWith('x-forwarded-')) headers.set(k, v);
    });
    headers.set('x-api-key', this.d.apiKey);
    headers.set('accept-encoding', 'identity');
    const abort = new AbortController();
    const stop = () => abort.abort();
    grant.signal.addEventListener('abort', stop, { once: true });
    req.signal?.addEventListener('abort', stop, { once: true });
    const search = new URL(req.url).search;
    let upstream: Response;
    try {
      upstream = await this.fetch(`${this.upstream}${path}${search}`, {
        method: 'POST',
        headers,
        body: new Uint8Array(body),
        signal: abort.signal,
      });
    } catch (err) {
      grant.signal.removeEventListener('abort', stop);
      const why = grant.signal.aborted ? 'the run ended' : (err as Error).message;
      return apiError(502, 'api_error', `the gateway could not reach the model API: ${why}`);
    }
    const out = new Headers();
    upstream.headers.forEach((v, k) => {
      if (!DROP_RESPONSE.has(k)) out.set(k, v);
    });
    const done = () => grant.signal.removeEventListener('abort', stop);
    if (meterModel === undefined || upstream.status !== 200 || !upstream.body) {
      done();
      return new Response(upstream.body, { status: upstream.status, headers: out });
    }
    const sse = (upstream.headers.get('content-type') ?? '').includes('text/event-stream');
    const meter = new UsageMeter(sse ? 'sse' : 'json', meterModel);
    let recorded = false;
    const settle = async () => {
      if (recorded) return;
      recorded = true;
      done();
      const call = await meter.end();
      if (call) this.record(grant, call);
    };
    const passthrough = new TransformStream<Uint8Array, Uint8Array>({
      transform: (chunk, ctl) => {
        meter.push(chunk);
        ctl.enqueue(chunk);
      },
      flush: () => settle(),
    });
    upstream.body.pipeTo(passthrough.writable).catch(() => {
      // The client went away or the run ended: stop the upstream call, keep what was counted.
      abort.abort();
      void settle();
    });
    return new Response(passthrough.readable, { status: upstream.status, headers: out });
  }

  private record(grant: ProxyGrant, call: MeteredCall): void {
    const { model, ...counts } = call;
    const usage: UsageTotals = { ...counts, costUsd: costUsd(model, counts) };
    Object.assign(grant.usage, addUsage(grant.usage, usage));
    grant.calls++;
    const at = this.now();
    try {
      this.d.usage?.record({
        ...usage,
        runId: grant.runId,
        senderKey: grant.senderKey,
        day: utcDay(at),
        model,
        at,
      });
    } catch (err) {
      this.d.log.warn({ err, runId: grant.runId }, 'model proxy: could not record usage');
    }
    this.d.log.info(
      { runId: grant.runId, model, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens },
      'model proxy: call metered',
    );
  }
}
