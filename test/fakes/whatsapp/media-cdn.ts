// A local stand-in for WhatsApp's media CDN: Baileys' own media preparation (prepareWAMessageMedia:
// encrypt, then `upload`) stores the encrypted file here, and downloadMediaMessage fetches it back
// from the message's `url`. The bytes are WhatsApp's real media encryption, so a download only
// works if the channel hands Baileys the right keys. Counts downloads so laziness can be asserted.

import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WAMediaUploadFunction } from '@whiskeysockets/baileys';

export class MediaCdn {
  readonly files = new Map<string, Buffer>();
  downloads = 0;
  private n = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<MediaCdn> {
    let cdn: MediaCdn | undefined;
    const server = createServer((req, res) => {
      const file = cdn?.files.get(req.url ?? '');
      if (!cdn || !file) {
        res.writeHead(404).end();
        return;
      }
      cdn.downloads++;
      res
        .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.length })
        .end(file);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    cdn = new MediaCdn(server, `http://127.0.0.1:${port}`);
    return cdn;
  }

  /** Baileys' upload hook. No directPath: Baileys then downloads from `url` (ours) instead of mmg.whatsapp.net. */
  readonly upload: WAMediaUploadFunction = async (encFilePath, { mediaType }) => {
    const path = `/m/${mediaType}/${++this.n}.enc`;
    this.files.set(path, await readFile(encFilePath));
    return { mediaUrl: `${this.url}${path}`, directPath: '' };
  };

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
