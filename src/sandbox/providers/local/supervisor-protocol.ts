// The supervisor's side of the wire, as the gateway sees it: the frames src/sandbox/runtime/supervisor.py
// emits (validated, since sandboxed code shares its uid), and a Duplex that carries one TCP
// connection into (or, accepted on a listener inside, out of) the sandbox's network namespace.

import { Duplex } from 'node:stream';
import { z } from 'zod';

export const frameSchema = z.discriminatedUnion('ev', [
  z.object({ ev: z.literal('ready'), pid: z.number(), workdir: z.string() }),
  z.object({ ev: z.literal('spawned'), id: z.string(), pid: z.number() }),
  z.object({ ev: z.literal('spawn_error'), id: z.string(), message: z.string() }),
  z.object({
    ev: z.literal('out'),
    id: z.string(),
    fd: z.union([z.literal(1), z.literal(2)]),
    data: z.string(),
  }),
  z.object({ ev: z.literal('truncated'), id: z.string(), fd: z.union([z.literal(1), z.literal(2)]) }),
  z.object({
    ev: z.literal('exit'),
    id: z.string(),
    code: z.number().nullable(),
    signal: z.string().nullable(),
    /** Processes the command left running that were stopped when it ended. */
    stray: z.number().int().min(0).optional(),
  }),
  z.object({
    ev: z.literal('result'),
    req: z.string(),
    ok: z.boolean(),
    error: z.string().optional(),
    data: z.string().optional(),
    entries: z.array(z.object({ path: z.string(), size: z.number(), isDir: z.boolean() })).optional(),
    /** reap: processes stopped. */
    stopped: z.number().int().min(0).optional(),
    /** listen: the loopback port inside the sandbox. */
    port: z.number().int().min(1).max(65535).optional(),
  }),
  /** A connection accepted on a listener inside the sandbox (listen), carried as tunnel `conn`. */
  z.object({ ev: z.literal('tcp_accept'), lid: z.string(), conn: z.string() }),
  z.object({ ev: z.literal('tcp_opened'), conn: z.string() }),
  z.object({ ev: z.literal('tcp_error'), conn: z.string(), message: z.string() }),
  z.object({ ev: z.literal('tcp_data'), conn: z.string(), data: z.string() }),
  z.object({ ev: z.literal('tcp_close'), conn: z.string() }),
]);
export type Frame = z.infer<typeof frameSchema>;
export type ResultFrame = Extract<Frame, { ev: 'result' }>;

/** A TCP connection to a port inside the sandbox, carried over the supervisor's pipe. */
export class TunnelSocket extends Duplex {
  constructor(
    private readonly conn: string,
    private readonly sendFrame: (obj: object) => void,
    private readonly onDestroy: () => void,
  ) {
    super({ allowHalfOpen: true });
  }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.sendFrame({ op: 'tcp_data', conn: this.conn, data: chunk.toString('base64') });
    cb();
  }
  override _final(cb: (e?: Error | null) => void): void {
    this.sendFrame({ op: 'tcp_end', conn: this.conn });
    cb();
  }
  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.sendFrame({ op: 'tcp_close', conn: this.conn });
    this.onDestroy();
    cb(err);
  }
  // node:http asks a socket for these; a tunnel has nothing to tune.
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}
