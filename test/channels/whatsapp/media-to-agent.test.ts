// A photo sent on WhatsApp reaches the analysis agent through the real gateway pipeline: the agent's
// task carries the file, and fetching it downloads and decrypts exactly the bytes the phone sent.
// Plain text with the photo goes to the agent that claims attachments, as on Telegram.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Agent, RunResult, Task } from '../../../agents/agent.js';
import { incomingMedia } from '../../fakes/whatsapp/fake-socket.js';
import { MediaCdn } from '../../fakes/whatsapp/media-cdn.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ALICE, type ChannelRig, channelRig, EchoAgent, gatewayRig, OWNER, textsTo } from './helpers.js';

/** The analysis agent's intake at the Agent port: what it was handed, fetched as the real one does. */
class AnalysisIntake implements Agent {
  readonly name = 'analysis';
  readonly command = { name: 'analyze', usage: 'analyze QUESTION', summary: 'ask about attached data' };
  readonly received: { task: Task; files: { name: string; mime: string; size: number; data: Buffer }[] }[] =
    [];
  claimsAttachments(files: { name: string; mime: string }[]): boolean {
    return files.some((f) => f.mime.startsWith('image/') || f.mime === 'text/csv');
  }
  async run(task: Task): Promise<RunResult> {
    const files = await Promise.all(
      task.files.map(async (f) => ({ name: f.name, mime: f.mime, size: f.size, data: await f.fetch() })),
    );
    this.received.push({ task, files });
    return { text: `got ${files.map((f) => `${f.name} (${f.data.length} bytes)`).join(', ')}` };
  }
}

let cdn: MediaCdn;
let rig: ChannelRig;
beforeAll(async () => {
  cdn = await MediaCdn.start();
});
afterAll(async () => {
  await cdn.close();
});
afterEach(async () => {
  await rig?.cleanup();
});

describe('WhatsApp media to the analysis agent', () => {
  it('an image message reaches the analysis agent with its bytes', async () => {
    rig = channelRig({ cdn });
    const analysis = new AnalysisIntake();
    const { gateway, pairing } = gatewayRig(rig, [new EchoAgent(), analysis]);
    pairing.allow.add('whatsapp', ALICE, 'cli');
    await gateway.start();
    const sock = await rig.wa.socket(1);
    sock.open(OWNER);

    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(4096, 7)]);
    const photo = await incomingMedia(cdn, {
      chat: ALICE,
      media: { image: png, mimetype: 'image/png', caption: 'what trend do you see?' },
    });
    sock.deliver([photo]);
    await waitFor(() => analysis.received.length === 1, 'the analysis run');
    const { task, files } = analysis.received[0]!;
    expect(task.text).toBe('what trend do you see?');
    expect(task.senderId).toBe(`whatsapp:${ALICE}`);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({
      name: `image-${photo.key.id}.png`,
      mime: 'image/png',
      size: png.length,
    });
    expect(files[0]!.data.equals(png)).toBe(true);
    await waitFor(
      () => textsTo(rig.wa, ALICE).some((t) => t.includes(`image-${photo.key.id}.png (${png.length} bytes)`)),
      'the answer in the chat',
    );
  });
});
