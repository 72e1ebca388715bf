// A CSV sent through a channel reaches the analysis agent via `/analyze`, the scripted model's code
// runs in a real local sandbox, and the channel is handed the summary, the chart image and the file.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalysisAgent } from '../../../agents/analysis/index.js';
import type { AccessControl } from '../../../src/gateway/access.js';
import type { Sandbox } from '../../../src/sandbox/provider.js';
import type { LocalSandboxProvider } from '../../../src/sandbox/providers/local/local-provider.js';
import { lastToolResults, reply, text, toolUse } from '../../fakes/anthropic/server.js';
import { RecordingChannel } from '../../helpers/recording-channel.js';
import { testGateway } from '../../helpers/test-gateway.js';
import { waitFor } from '../../helpers/wait-for.js';
import { silentLog } from '../../model/helpers.js';
import { localProvider, PNG_MAGIC, tempHome } from '../../sandbox/helpers.js';
import {
  analysisConfig,
  csvStats,
  type ModelHarness,
  startModel,
  userText,
  VEHICLES_CSV,
} from './helpers.js';

const allowAll: AccessControl = { check: () => ({ allow: true }) };

describe('analysis through the gateway pipeline', () => {
  const { home, cleanup } = tempHome();
  let provider: LocalSandboxProvider;
  let m: ModelHarness;

  beforeAll(async () => {
    provider = localProvider(home);
    m = await startModel();
  });
  afterAll(async () => {
    await m.close();
    await provider.shutdown();
    cleanup();
  });

  it('answers /analyze with an attached CSV: numbers from the file, a PNG chart with its caption', async () => {
    const boxes = new Map<string, Promise<Sandbox>>();
    const sandboxes = {
      acquire: (key: string) => {
        let box = boxes.get(key);
        if (!box) {
          box = provider.create({ labels: { conversation: key } });
          boxes.set(key, box);
        }
        return box;
      },
      discard: async (key: string) => {
        boxes.delete(key);
      },
    };
    const channel = new RecordingChannel('telegram');
    const { gateway, store } = testGateway(home, {
      channels: [channel],
      agents: [createAnalysisAgent({ config: analysisConfig(), log: silentLog })],
      access: allowAll,
      sandboxes,
      model: m.model,
    });
    const expected = csvStats(VEHICLES_CSV, 'price_usd');
    m.fake.push(
      (req) => {
        expect(userText(req)).toContain(`data/vehicles.csv, 38.6 KB`);
        return reply(
          toolUse('run_python_code', {
            code: [
              'import pandas as pd, matplotlib.pyplot as plt',
              "df = pd.read_csv('data/vehicles.csv')",
              "print('rows', len(df))",
              "df.groupby('year')['price_usd'].median().plot(kind='bar')",
              "plt.title('Median price by model year'); plt.show()",
            ].join('\n'),
          }),
        );
      },
      (req) => {
        const rows = /rows (\d+)/.exec([...lastToolResults(req).values()][0]?.text ?? '')?.[1];
        return reply(text(`I looked at ${rows} listings: prices fall with age.`));
      },
    );
    try {
      await gateway.start();
      await channel.sink!.receive(
        channel.inbound({
          text: '/analyze how do prices change by year?',
          attachments: [
            {
              name: 'vehicles.csv',
              mime: 'text/csv',
              size: VEHICLES_CSV.length,
              fetch: async () => VEHICLES_CSV,
            },
          ],
        }),
      );
      // The reply may arrive as an edit of the progress message: read what the chat shows.
      const answer = await waitFor(
        () => channel.texts().find((t) => t.includes('listings')),
        'the analysis reply',
        30_000,
      );
      expect(answer).toContain(`I looked at ${expected.rows} listings: prices fall with age.`);
      await waitFor(() => channel.delivered.some((d) => d.msg.kind === 'image'), 'the chart');
      const images = channel.delivered.flatMap((d) => (d.msg.kind === 'image' ? [d.msg] : []));
      expect(images).toHaveLength(1);
      expect(images[0]?.caption).toBe('Median price by model year');
      expect(images[0]?.png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
      expect(m.fake.problems).toEqual([]);
    } finally {
      await gateway.stop(5000);
      store.db.close();
    }
  });
});
