// Wire formats the Daytona fake needs without extra packages: a server-side WebSocket (handshake,
// unmasked binary frames, close) for the session-log stream, and multipart/form-data both ways for
// the toolbox's bulk upload and download routes.

import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface ServerWebSocket {
  send(data: Buffer): void;
  close(code?: number): void;
  onClose(cb: () => void): void;
}

export function acceptWebSocket(req: IncomingMessage, socket: Duplex): ServerWebSocket {
  const key = String(req.headers['sec-websocket-key'] ?? '');
  const accept = createHash('sha1')
    .update(key + WS_GUID)
    .digest('base64');
  const protocol = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')[0]
    ?.trim();
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\n${protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : ''}\r\n`,
  );
  let closed = false;
  const listeners: (() => void)[] = [];
  const finish = () => {
    if (closed) return;
    closed = true;
    for (const cb of listeners) cb();
  };
  const frame = (opcode: number, payload: Buffer) => {
    const len = payload.length;
    const head =
      len < 126
        ? Buffer.from([0x80 | opcode, len])
        : len < 65536
          ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff])
          : Buffer.concat([Buffer.from([0x80 | opcode, 127]), u64(len)]);
    socket.write(Buffer.concat([head, payload]));
  };
  socket.on('data', (d: Buffer) => {
    if ((d[0]! & 0x0f) === 8 && !closed) {
      frame(8, Buffer.from([0x03, 0xe8]));
      socket.end();
      finish();
    }
  });
  socket.on('close', finish);
  socket.on('error', finish);
  return {
    send: (data) => {
      if (!closed) frame(2, data);
    },
    close: (code = 1000) => {
      if (closed) return;
      frame(8, Buffer.from([code >> 8, code & 0xff]));
      socket.end();
      finish();
    },
    onClose: (cb) => listeners.push(cb),
  };
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

export interface FormPart {
  name: string;
  filename?: string;
  data: Buffer;
}

export function parseMultipart(body: Buffer, contentType: string): FormPart[] {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) throw new Error('no multipart boundary');
  const boundary = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts: FormPart[] = [];
  let pos = body.indexOf(boundary);
  while (pos >= 0) {
    const start = pos + boundary.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const headEnd = body.indexOf('\r\n\r\n', start);
    const next = body.indexOf(boundary, headEnd);
    if (headEnd < 0 || next < 0) break;
    const head = body.subarray(start + 2, headEnd).toString();
    const data = body.subarray(headEnd + 4, next - 2);
    const name = /name="([^"]*)"/.exec(head)?.[1] ?? '';
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    parts.push({ name, filename, data });
    pos = next;
  }
  return parts;
}

export function buildMultipart(parts: { name: string; filename: string; type: string; data: Buffer }[]) {
  const boundary = `fake-${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\n` +
          `Content-Type: ${p.type}\r\nContent-Length: ${p.data.length}\r\n\r\n`,
      ),
      p.data,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The daemon's command splitter: spaces separate, '…' or "…" group, no escapes, no shell. */
export function parseCommand(command: string): string[] {
  const args: string[] = [];
  let cur = '';
  let quote = '';
  for (const ch of command) {
    if ((ch === '"' || ch === "'") && (!quote || quote === ch)) {
      quote = quote ? '' : ch;
    } else if (ch === ' ' && !quote) {
      if (cur) args.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (cur) args.push(cur);
  return args;
}
