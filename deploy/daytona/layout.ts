// Names and places of the one deployed gateway: what Daytona calls it and where the app, its live
// state and the volume copy of that state sit inside the sandbox. Fixed, so that every run (deploy,
// --status, --stop, …) finds the same things; bad flag values fail here with a usage message.

export const GATEWAY_SANDBOX_NAME = 'sandgate-gateway';
/** DESIGN §9.6: the gateway sandbox is found again by this label. */
export const GATEWAY_LABELS: Readonly<Record<string, string>> = { sandgate: 'gateway' };
/** A digest of the sandbox's fixed, non-secret settings (snapshot/image, resources, public). */
export const SPEC_LABEL = 'sandgate-spec';
/** The port the gateway listens on inside the sandbox (it may change between deploys). */
export const PORT_LABEL = 'sandgate-port';
export const VOLUME_NAME = 'sandgate-gateway-state';
/** The Daytona session the gateway process runs in (its output is what `--logs` shows). */
export const SESSION_ID = 'sandgate-gateway';
/** Daytona's own snapshots run as `daytona` with this home; the volume's mount path is fixed at create. */
export const DAYTONA_HOME = '/home/daytona';
const VOLUME_DIR = 'sandgate-volume';
export const VOLUME_MOUNT_PATH = `${DAYTONA_HOME}/${VOLUME_DIR}`;
/** The OpenClaw guide's choice: Node and Python preinstalled, 2 GiB+ of memory. */
export const DEFAULT_SNAPSHOT = 'daytona-medium';
export const DEFAULT_PORT = 8787;
export const DEFAULT_EXPIRES_SEC = 3600;

/** Daytona previews ports 3000–9999 and signs preview URLs for 1 s – 24 h (docs: Preview). */
export const PREVIEW_PORTS = { min: 3000, max: 9999 } as const;
export const MAX_EXPIRES_SEC = 86_400;

export class DeployUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployUsageError';
  }
}

export interface SandboxLayout {
  /** The sandbox user's home, as the sandbox reports it. */
  home: string;
  /** The running release. */
  app: string;
  /** The release being installed; swapped in only once `npm ci` succeeded. */
  next: string;
  /** The previous release, kept for a manual roll-back. */
  previous: string;
  /** Where the uploaded archive lands. */
  archive: string;
  /** SANDGATE_HOME: live state on the sandbox's own disk (SQLite cannot live on a FUSE volume). */
  state: string;
  /** The mounted volume: copies of the state, so it survives a replaced sandbox. */
  volume: string;
}

export function layoutFor(home: string): SandboxLayout {
  const h = home.replace(/\/+$/, '');
  return {
    home: h,
    app: `${h}/sandgate-app`,
    next: `${h}/sandgate-app.next`,
    previous: `${h}/sandgate-app.previous`,
    archive: `${h}/sandgate-release.tar.gz`,
    state: `${h}/.sandgate`,
    volume: `${h}/${VOLUME_DIR}`,
  };
}

/** `--expires`: seconds, or a number with s/m/h (`90m`, `24h`). Daytona signs 1 s – 24 h. */
export function parseExpires(text: string): number {
  const m = /^(\d+)\s*(s|m|h)?$/i.exec(text.trim());
  if (!m)
    throw new DeployUsageError(
      `--expires ${JSON.stringify(text)}: use seconds or a duration like 90m or 24h`,
    );
  const unit = { s: 1, m: 60, h: 3600 }[(m[2] ?? 's').toLowerCase() as 's' | 'm' | 'h'];
  const seconds = Number(m[1]) * unit;
  if (seconds < 1 || seconds > MAX_EXPIRES_SEC)
    throw new DeployUsageError(`--expires ${text}: a signed preview URL lasts 1 s to 24 h (Daytona's limit)`);
  return seconds;
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < PREVIEW_PORTS.min || port > PREVIEW_PORTS.max)
    throw new DeployUsageError(
      `--port ${text}: Daytona previews ports ${PREVIEW_PORTS.min}-${PREVIEW_PORTS.max} only`,
    );
  return port;
}

/** A positive number for --cpu/--memory/--disk (cores, GiB, GiB). */
export function parseAmount(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new DeployUsageError(`${flag} ${text}: must be a whole number ≥ 1`);
  return n;
}
