// Media both ways through the real gateway process, real grammY and the Bot API fake: a chart from
// `/py … plt.show()` arrives as a sendPhoto carrying a real PNG, and a CSV sent as a document reaches
// the analysis agent's sandbox (the scripted model's Python counts its rows in the sandbox).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeAnthropic,
  lastToolResultText,
  reply,
  startFakeAnthropic,
  text,
  toolUse,
} from '../fakes/anthropic/server.js';
import { FakeTelegram } from '../fakes/telegram/fake-telegram.js';
import { type GatewayProcess, startGatewayProcess } from '../helpers/gateway-process.js';
import { tempHome } from '../helpers/temp-home.js';
import { TEST_MODEL } from '../model/helpers.js';
import { botTexts, pairUser } from './telegram-helpers.js';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const MODEL_KEY = 'sk-ant-telegram-e2e-key-7f3a';

describe('Telegram media through the gateway process', () => {
  const home = tempHome();
  let fake: FakeTelegram;
  let model: FakeAnthropic;
  let gw: GatewayProcess;
  let chat: number;

  beforeAll(async () => {
    fake = await FakeTelegram.start();
    model = await startFakeAnthropic({ apiKey: MODEL_KEY, model: TEST_MODEL });
    chat = fake.defaultUser.id;
    gw = await startGatewayProcess(home.home, {
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      ANTHROPIC_API_KEY: MODEL_KEY,
      ANTHROPIC_BASE_URL: model.url,
      SANDGATE_MODEL: TEST_MODEL,
    });
    await pairUser(fake, home.home);
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await fake?.close();
    await model?.close();
    home.cleanup();
  });

  it('sends the chart of a /py plot as a photo: a valid PNG, captioned with the chart title', async () => {
    const code = [
      'import matplotlib.pyplot as plt',
      'plt.plot([1, 2, 3, 4], [3, 1, 4, 1])',
      "plt.title('Signups per day')",
      'plt.show()',
    ].join('\n');
    fake.pushText(`/py ${code}`);
    const photo = await fake.waitUntil(
      () => fake.sent(chat).find((m) => m.kind === 'photo'),
      45_000,
      'a sendPhoto with the chart',
    );
    expect(photo.caption).toBe('Signups per day');
    const png = photo.file?.data ?? Buffer.alloc(0);
    expect(png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    // A real image, not just a signature: the IHDR chunk follows with a non-zero size.
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect(png.readUInt32BE(16)).toBeGreaterThan(0);
    expect(png.readUInt32BE(20)).toBeGreaterThan(0);
    // It went up once, as a multipart upload (grammY names the part itself and points at it).
    const uploads = fake.callsOf('sendPhoto').filter((c) => c.status === 200);
    expect(uploads).toHaveLength(1);
    const parts = Object.values(uploads[0]?.files ?? {});
    expect(parts).toHaveLength(1);
    expect(parts[0]?.data.equals(png)).toBe(true);
    await fake.waitUntil(
      () => botTexts(fake, chat).some((t) => /1 chart/.test(t)),
      10_000,
      'the /py text reply',
    );
  });

  it('takes a CSV sent as a document into the sandbox, where the analysis agent reads it', async () => {
    const rows = 137;
    const csv = Buffer.from(
      [
        'day,signups',
        ...Array.from({ length: rows }, (_, i) => `2024-01-${(i % 28) + 1},${(i * 7) % 50}`),
      ].join('\n'),
    );
    const seenByModel: string[] = [];
    model.push(
      (req) => {
        seenByModel.push(JSON.stringify(req.body.messages));
        return reply(
          toolUse('run_python_code', {
            code: "import pandas as pd\ndf = pd.read_csv('data/signups.csv')\nprint('rows', len(df))",
          }),
        );
      },
      (req) => {
        const counted = /rows (\d+)/.exec(lastToolResultText(req))?.[1] ?? 'no';
        return reply(text(`signups.csv has ${counted} data rows.`));
      },
    );
    const before = botTexts(fake, chat).length;
    fake.pushDocument(csv, {
      fileName: 'signups.csv',
      mimeType: 'text/csv',
      caption: 'how many rows is this?',
    });
    const answer = await fake.waitUntil(
      () =>
        botTexts(fake, chat)
          .slice(before)
          .find((t) => /data rows/.test(t)),
      45_000,
      'the analysis reply',
    );
    // The number can only come from Python reading the uploaded file inside the sandbox.
    expect(answer).toContain(`signups.csv has ${rows} data rows.`);
    expect(seenByModel[0]).toContain('data/signups.csv');
    // The file was fetched lazily through getFile + the file endpoint.
    expect(fake.callsOf('getFile').length).toBeGreaterThanOrEqual(1);
    expect(model.problems).toEqual([]);
  });
});
