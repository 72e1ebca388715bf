// `sandgate channels login whatsapp [--phone N]`: links WhatsApp as a device. With the gateway running
// it asks the gateway (which owns the socket) to link and shows that socket's QR; without one it runs
// the channel here, under the instance lock. Draws each rotated QR in the terminal (qrcode), prints
// "linked as +…" and exits 0; a WhatsApp that cannot be reached fails in under 30 s, exit 1.

import QRCode from 'qrcode';
import type { ChannelStatus } from '../../../channels/channel.js';
import { acquireInstanceLock } from '../../gateway/instance-lock.js';
import { sleep } from '../../timing/clock.js';
import { type CliEnv, CliError } from '../cli-env.js';
import { gatewayClient } from '../gateway-client.js';

/** Where the link happens: the running gateway's channel, or one this command runs itself. */
interface LinkSource {
  login(phone?: string): Promise<ChannelStatus>;
  status(): Promise<ChannelStatus>;
  close(): Promise<void>;
}

export interface FollowOptions {
  phone?: string;
  out(line: string): void;
  /** No QR, code or connection this long after the start: WhatsApp is unreachable. */
  reachMs?: number;
  /** …or this many failed connection attempts before any QR (default 2: one retry). */
  maxFailures?: number;
  pollMs?: number;
}

/** Follows a link to its end; resolves with the exit code. */
export async function followLink(source: LinkSource, o: FollowOptions): Promise<0 | 1> {
  const reachMs = o.reachMs ?? 25_000;
  const started = Date.now();
  const failures = new Set<string>();
  let shownQr: string | undefined;
  let shownCode: string | undefined;
  let status = await source.login(o.phone);
  for (;;) {
    if (status.state === 'connected') {
      o.out(`linked as ${status.identity ?? 'this device'}`);
      return 0;
    }
    if (status.qr && status.qr !== shownQr) {
      o.out(
        shownQr
          ? '\nWhatsApp rotated the code; scan this one:'
          : 'In WhatsApp on your phone: Settings → Linked devices → Link a device, and scan:',
      );
      o.out(await QRCode.toString(status.qr, { type: 'terminal', small: true }));
      shownQr = status.qr;
    }
    if (status.pairingCode && status.pairingCode !== shownCode) {
      const code = status.pairingCode.replace(/^(.{4})(.{4})$/, '$1-$2');
      o.out(
        `In WhatsApp on your phone: Linked devices → Link a device → Link with phone number instead, and enter: ${code}`,
      );
      shownCode = status.pairingCode;
    }
    const prompted = Boolean(shownQr || shownCode);
    if (status.state === 'error') throw new CliError(`WhatsApp: ${status.detail ?? 'the link failed'}`);
    if (prompted && status.state === 'needs-login' && !status.qr && !status.pairingCode) {
      throw new CliError(`WhatsApp: ${status.detail ?? 'the link was not completed'}`);
    }
    if (!prompted) {
      if (status.lastError) failures.add(status.lastError.at);
      if (failures.size >= (o.maxFailures ?? 2) || Date.now() - started > reachMs) {
        const why = status.lastError?.message ?? status.detail ?? 'no answer';
        throw new CliError(
          `Cannot reach WhatsApp (${why}). Check this machine's internet connection (WhatsApp Web needs web.whatsapp.com:443) and try again.`,
        );
      }
    }
    await sleep(o.pollMs ?? 500);
    status = await source.status();
  }
}

function viaGateway(env: CliEnv): LinkSource {
  const client = gatewayClient(env);
  return {
    login: async (phone) => {
      const res = await client.api('/channels/whatsapp/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(phone ? { phone } : {}),
      });
      const body = (await res.json()) as ChannelStatus & { error?: string };
      if (res.status === 404) {
        throw new CliError(
          'WhatsApp is not enabled in the running gateway: `sandgate config set whatsapp.enabled true`, then restart it.',
        );
      }
      if (!res.ok)
        throw new CliError(body.error ?? `the gateway answered ${res.status}`, res.status === 400 ? 2 : 1);
      return body;
    },
    status: async () => {
      const res = await client.api('/status');
      const body = (await res.json()) as { channels: { id: string; status: ChannelStatus }[] };
      const wa = body.channels.find((c) => c.id === 'whatsapp');
      if (!wa) throw new CliError('the gateway stopped running WhatsApp');
      return wa.status;
    },
    close: async () => {},
  };
}

async function here(env: CliEnv): Promise<LinkSource> {
  const db = env.store().db;
  // A gateway started meanwhile would open a second socket and WhatsApp would drop one of them.
  const lock = acquireInstanceLock(env.paths.lockFile);
  const { WhatsAppAuthStore } = await import('../../../channels/whatsapp/auth-store.js');
  const { WhatsAppChannel } = await import('../../../channels/whatsapp/whatsapp-channel.js');
  const { default: pino } = await import('pino');
  const config = env.config();
  const channel = new WhatsAppChannel({
    auth: new WhatsAppAuthStore(db),
    log: pino({ level: process.env.LOG_LEVEL === 'debug' ? 'debug' : 'silent' }),
    selfChat: false,
    maxAttachmentBytes: config.limits.maxAttachmentBytes,
    ...(config.whatsapp.wsUrl ? { wsUrl: config.whatsapp.wsUrl } : {}),
  });
  const stop = new AbortController();
  // No gateway to hand messages to: this run only links. Messages wait for the gateway's next connect.
  await channel.start(
    { receive: async () => ({ accepted: false, duplicate: false, reason: 'linking only' }) },
    stop.signal,
  );
  return {
    login: async (phone) => channel.login(phone ? { phone } : {}),
    status: async () => channel.status(),
    close: async () => {
      stop.abort();
      await channel.drained();
      lock.release();
    },
  };
}

export async function loginCommand(env: CliEnv, channelId: string, opts: { phone?: string }): Promise<void> {
  if (channelId !== 'whatsapp') {
    throw new CliError(`only whatsapp links as a device (got "${channelId}")`, 2);
  }
  const phone = opts.phone?.replace(/[\s()+-]/g, '');
  if (phone !== undefined && !/^\d{7,15}$/.test(phone)) {
    throw new CliError(
      '--phone takes the number in international format, country code first: --phone 15551234567',
      2,
    );
  }
  const running = await gatewayClient(env).running();
  if (!running && !env.config().whatsapp.enabled) {
    env.out(
      'Note: WhatsApp is not enabled; after linking, `sandgate config set whatsapp.enabled true` and start the gateway.',
    );
  }
  const source = running ? viaGateway(env) : await here(env);
  try {
    await followLink(source, { ...(phone ? { phone } : {}), out: env.out });
  } finally {
    await source.close();
  }
}
