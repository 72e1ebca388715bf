// Request-body parsing for the fake Bot API: JSON, urlencoded and multipart/form-data. The multipart
// reader is tolerant on purpose: grammY writes `content-disposition:form-data;name="x";filename=a b.png`
// (no spaces, unquoted filename), curl and undici write the textbook form; both must work.

/**
 * Put in place of a form field whose bytes are not valid UTF-8 (a private-use marker no client
 * sends), so the method call can be refused like the real Bot API does.
 */
export const INVALID_UTF8 = '\u{10fffd}invalid-utf8\u{10fffd}';
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeField(data: Buffer): string {
  try {
    return strictUtf8.decode(data);
  } catch {
    return INVALID_UTF8;
  }
}

export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface ParsedBody {
  fields: Record<string, unknown>;
  files: Record<string, UploadedFile>;
}

export function parseBody(contentType: string | undefined, body: Buffer, query: URLSearchParams): ParsedBody {
  const fields: Record<string, unknown> = Object.fromEntries(query);
  const files: Record<string, UploadedFile> = {};
  const ct = (contentType ?? '').toLowerCase();
  if (body.length === 0) return { fields, files };
  if (ct.startsWith('application/json')) {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(fields, parsed);
    return { fields, files };
  }
  if (ct.startsWith('application/x-www-form-urlencoded')) {
    Object.assign(fields, Object.fromEntries(new URLSearchParams(decodeField(body))));
    return { fields, files };
  }
  if (ct.startsWith('multipart/form-data')) {
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
    const b = boundary?.[1] ?? boundary?.[2];
    if (!b) throw new Error('multipart body without boundary');
    for (const part of splitMultipart(body, b)) {
      if (part.filename !== undefined) {
        files[part.name] = { filename: part.filename, contentType: part.contentType, data: part.data };
      } else {
        fields[part.name] = decodeField(part.data);
      }
    }
    return { fields, files };
  }
  throw new Error(`unsupported content-type ${contentType}`);
}

interface Part {
  name: string;
  filename?: string;
  contentType: string;
  data: Buffer;
}

function splitMultipart(body: Buffer, boundary: string): Part[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  const parts: Part[] = [];
  let at = body.indexOf(delimiter);
  if (at === -1) throw new Error('multipart boundary not found');
  for (;;) {
    let start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    if (body.subarray(start, start + 2).toString() === '\r\n') start += 2;
    const end = body.indexOf(next, start);
    if (end === -1) throw new Error('multipart body truncated');
    const raw = body.subarray(start, end);
    const headerEnd = raw.indexOf('\r\n\r\n');
    if (headerEnd === -1) throw new Error('multipart part without headers');
    const headers = raw.subarray(0, headerEnd).toString('utf8').split('\r\n');
    const data = Buffer.from(raw.subarray(headerEnd + 4));
    let name = '';
    let filename: string | undefined;
    let contentType = 'application/octet-stream';
    for (const line of headers) {
      const colon = line.indexOf(':');
      const key = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (key === 'content-type') contentType = value;
      if (key !== 'content-disposition') continue;
      name = /;\s*name="([^"]*)"/.exec(value)?.[1] ?? /;\s*name=([^;]+)/.exec(value)?.[1]?.trim() ?? '';
      const fn = /;\s*filename="([^"]*)"/.exec(value)?.[1] ?? /;\s*filename=(.+)$/.exec(value)?.[1]?.trim();
      if (fn !== undefined) filename = fn;
    }
    parts.push(filename === undefined ? { name, contentType, data } : { name, filename, contentType, data });
    at = end + 2;
  }
  return parts;
}
