// The one logger: pino, pretty on a TTY and JSON otherwise. Secrets are scrubbed twice:
// by key (token, apiKey, secret, authorization …) and by value (every configured secret string),
// so a token that sneaks into an error message is still never written.

import pino, { type DestinationStream, type Logger } from 'pino';

const SECRET_FIELD = /(token|secret|password|api_?key|apikey|authorization|cookie)$/i;
const REDACTED = '[redacted]';

export interface LogOptions {
  level?: string;
  /** Exact secret values to scrub wherever they appear (config tokens, keys). */
  secrets?: Iterable<string | undefined>;
  /** Defaults to stderr, so command output on stdout stays clean. */
  destination?: DestinationStream;
  pretty?: boolean;
}

function scrubber(secrets: string[]) {
  const escaped = secrets
    .filter((s) => s.length >= 6)
    .sort((a, b) => b.length - a.length)
    .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = escaped.length ? new RegExp(escaped.join('|'), 'g') : undefined;
  const scrub = (value: unknown, depth = 0): unknown => {
    if (typeof value === 'string') return pattern ? value.replace(pattern, REDACTED) : value;
    if (depth > 6 || value === null || typeof value !== 'object') return value;
    if (value instanceof Error) {
      return {
        type: value.name,
        message: scrub(value.message, depth + 1),
        stack: scrub(value.stack, depth + 1),
      };
    }
    if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
    if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_FIELD.test(k) && typeof v === 'string' ? REDACTED : scrub(v, depth + 1);
    }
    return out;
  };
  return scrub;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const secrets = [...(opts.secrets ?? [])].filter((s): s is string => typeof s === 'string');
  const scrub = scrubber(secrets);
  const pretty = opts.pretty ?? (opts.destination === undefined && process.stderr.isTTY === true);
  const options: pino.LoggerOptions = {
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => scrub(a)) as Parameters<typeof method>);
      },
    },
    serializers: { err: (e: unknown) => scrub(e) },
  };
  if (opts.destination) return pino(options, opts.destination);
  if (pretty) {
    return pino({
      ...options,
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, colorize: true, translateTime: 'SYS:HH:MM:ss' },
      },
    });
  }
  return pino(options, pino.destination({ fd: 2, sync: false }));
}

export type { Logger };
