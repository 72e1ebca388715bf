// The analysis agent end to end: real @anthropic-ai/sdk → the Messages API fake, real local
// (bubblewrap) sandbox running pandas and matplotlib. Scripts play the model; the assertions are
// what the user gets back: a summary with numbers only real execution could know, charts, files.

import type Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAnalysisAgent } from '../../../agents/analysis/index.js';
import { SqliteThreadStore } from '../../../agents/coding/index.js';
import { modelUnavailableReply } from '../../../src/model/errors.js';
import type { Sandbox } from '../../../src/sandbox/provider.js';
import type { LocalSandboxProvider } from '../../../src/sandbox/providers/local/local-provider.js';
import { lastToolResults, reply, text, toolUse } from '../../fakes/anthropic/server.js';
import { openUsageDb, silentLog } from '../../model/helpers.js';
import { localProvider, PNG_MAGIC, tempHome } from '../../sandbox/helpers.js';
import {
  analysisConfig,
  csvStats,
  file,
  type ModelHarness,
  runContext,
  startModel,
  task,
  userText,
  VEHICLES_CSV,
} from './helpers.js';

const { home, cleanup } = tempHome();
let provider: LocalSandboxProvider;
let sandbox: Sandbox;
let m: ModelHarness;
let threadsDb: Database.Database;

beforeAll(async () => {
  provider = localProvider(home);
  sandbox = await provider.create({ labels: { conversation: 'local:analysis-1' } });
  threadsDb = openUsageDb();
});
afterAll(async () => {
  threadsDb.close();
  await provider.shutdown();
  cleanup();
});
beforeEach(async () => {
  m = await startModel();
});
afterEach(async () => {
  expect(m.fake.problems).toEqual([]);
  expect(m.fake.remaining()).toBe(0);
  await m.close();
});

describe('analysis agent with a CSV in a local sandbox', () => {
  const agent = () =>
    createAnalysisAgent({
      config: analysisConfig(),
      log: silentLog,
      threads: new SqliteThreadStore(threadsDb),
    });

  it('saves the CSV, runs the model code in the sandbox, replies with its numbers, a PNG chart and out/ files', async () => {
    const expected = csvStats(VEHICLES_CSV, 'price_usd');
    let seenRows = 0;
    let seenMean = 0;
    m.fake.push(
      (req) => {
        expect(req.body.tools.map((t: { name: string }) => t.name)).toEqual(['run_python_code']);
        expect(req.body.system[0].text).toContain(sandbox.workdir);
        const prompt = userText(req);
        expect(prompt).toContain('how do prices change by year?');
        expect(prompt).toContain('data/vehicles.csv, 38.6 KB');
        expect(prompt).toContain(`${expected.rows} rows × 8 columns`);
        expect(prompt).toContain('price_usd (int64)');
        expect(prompt).toMatch(/mileage_km \(float64, \d+ missing\)/);
        expect(prompt).toContain("read with: pd.read_csv('data/vehicles.csv')");
        return reply(
          text('Let me look at prices by model year.'),
          toolUse('run_python_code', {
            code: [
              'import pandas as pd',
              'import matplotlib.pyplot as plt',
              "df = pd.read_csv('data/vehicles.csv')",
              "by_year = df.groupby('year')['price_usd'].mean().round(2)",
              "print('rows', len(df))",
              "print('mean_price', round(df['price_usd'].mean(), 2))",
              "by_year.to_csv('out/price_by_year.csv')",
              'plt.figure()',
              "by_year.plot(marker='o')",
              "plt.title('Average price by model year'); plt.xlabel('model year'); plt.ylabel('USD')",
              'plt.show()',
            ].join('\n'),
          }),
        );
      },
      (req) => {
        const [result] = [...lastToolResults(req).values()];
        expect(result?.isError).toBe(false);
        expect(result?.text).toContain(
          'Charts captured (sent to the user as images): #1 "Average price by model year" (line)',
        );
        seenRows = Number(/rows (\d+)/.exec(result?.text ?? '')?.[1]);
        seenMean = Number(/mean_price ([\d.]+)/.exec(result?.text ?? '')?.[1]);
        return reply(
          text(`There are ${seenRows} listings; the mean price is $${seenMean}. Newer cars cost more.`),
        );
      },
    );
    const { ctx, progress } = runContext(sandbox, m.model);
    const r = await agent().run(
      task('how do prices change by year?', [file('vehicles.csv', VEHICLES_CSV, { mime: 'text/csv' })]),
      ctx,
    );

    expect(seenRows).toBe(expected.rows);
    expect(seenMean).toBeCloseTo(expected.mean, 2);
    expect(r.text).toContain(`There are ${expected.rows} listings; the mean price is $${seenMean}.`);
    expect(r.text).not.toContain('No chart was produced');
    expect(r.charts).toHaveLength(1);
    const chart = r.charts![0]!;
    expect(chart.title).toBe('Average price by model year');
    expect(chart.png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    expect(r.files?.map((f) => f.name)).toEqual(['price_by_year.csv']);
    const lines = r.files![0]!.data.toString('utf8').trim().split('\n');
    expect(lines[0]).toBe('year,price_usd');
    expect(lines).toHaveLength(1 + 20); // model years 2005–2024
    expect(r.text).toContain('Files from out/: out/price_by_year.csv');
    expect(r.usage?.outputTokens).toBeGreaterThan(0);
    expect(progress.filter((p) => p.kind === 'tool').map((p) => p.text)).toEqual([
      'saved data/vehicles.csv',
      `read data/vehicles.csv — ${expected.rows} rows × 8 columns`,
      'ran Python — 1 chart',
    ]);
  });

  it('feeds a code error and its traceback back, and the second attempt answers (same interpreter, same thread)', async () => {
    const prices = VEHICLES_CSV.toString('utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[7]))
      .sort((a, b) => a - b);
    const median = (prices[prices.length / 2 - 1]! + prices[prices.length / 2]!) / 2;
    m.fake.push(
      (req) => {
        expect(req.body.messages.length).toBeGreaterThan(1); // the earlier exchange is in the thread
        const prompt = userText(req);
        expect(prompt).toContain('Other files already in data/ from earlier messages:\n- data/vehicles.csv');
        return reply(toolUse('run_python_code', { code: "print(df['price'].median())" }));
      },
      (req) => {
        const [result] = [...lastToolResults(req).values()];
        expect(result?.isError).toBe(true);
        expect(result?.text).toContain("Error: KeyError: 'price'");
        expect(result?.text).toContain('Traceback (most recent call last)');
        expect(result?.text).toContain('<cell>');
        // `df` still exists from the previous message: the interpreter is stateful.
        return reply(
          text('That column is called price_usd.'),
          toolUse('run_python_code', { code: "print('median', df['price_usd'].median())" }),
        );
      },
      (req) => {
        const [result] = [...lastToolResults(req).values()];
        expect(result?.isError).toBe(false);
        const value = /median ([\d.]+)/.exec(result?.text ?? '')?.[1];
        return reply(text(`The median price is $${value}.`));
      },
    );
    const { ctx } = runContext(sandbox, m.model);
    const r = await agent().run(task('what is the median price?'), ctx);
    expect(r.text).toContain(`The median price is $${median.toFixed(1)}.`);
    expect(r.text).toContain('No chart was produced.');
    expect(r.charts).toBeUndefined();
    expect(r.files).toBeUndefined(); // out/price_by_year.csv is unchanged, so it is not sent again
  });
});

describe('analysis agent limits', () => {
  let loopBox: Sandbox;
  beforeAll(async () => {
    loopBox = await provider.create({ labels: { conversation: 'local:analysis-loop' } });
  });

  it('interrupts an infinite loop after the configured timeout, tells the model, and keeps going', async () => {
    const agent = createAnalysisAgent({ config: analysisConfig({}, 2), log: silentLog });
    m.fake.push(
      reply(toolUse('run_python_code', { code: 'n = 0\nwhile True:\n    n += 1' })),
      (req) => {
        const [result] = [...lastToolResults(req).values()];
        expect(result?.isError).toBe(true);
        expect(result?.text).toMatch(/^Execution timed out after 2 s and was stopped/);
        expect(result?.text).toMatch(/infinite loop/);
        return reply(toolUse('run_python_code', { code: "print('still here', n > 0)" }));
      },
      (req) => {
        expect([...lastToolResults(req).values()][0]?.text).toContain('still here True');
        return reply(text('The loop never ended, so I stopped it; the counter kept its value.'));
      },
    );
    const { ctx, progress } = runContext(loopBox, m.model);
    const r = await agent.run(task('count forever', [], 'local:analysis-loop'), ctx);
    expect(r.text).toContain('The loop never ended, so I stopped it');
    expect(progress.map((p) => p.text)).toContain('ran Python — timed out after 2 s');
  });

  it('stops at agents.analysisMaxIterations and says how to continue', async () => {
    const agent = createAnalysisAgent({
      config: analysisConfig({ analysisMaxIterations: 2 }),
      log: silentLog,
    });
    m.fake.push(
      reply(toolUse('run_python_code', { code: 'print(1)' })),
      reply(toolUse('run_python_code', { code: 'print(2)' })),
    );
    const { ctx } = runContext(loopBox, m.model);
    const r = await agent.run(task('keep going', [], 'local:analysis-loop'), ctx);
    expect(r.text).toContain('I stopped after 2 steps (the agents.analysisMaxIterations limit)');
  });

  it('/cancel during a long computation stops it and replies Cancelled', async () => {
    const agent = createAnalysisAgent({ config: analysisConfig(), log: silentLog });
    const controller = new AbortController();
    m.fake.push(() => {
      // Cancel shortly after the code is handed out; wherever it lands, the run must end cancelled.
      setTimeout(() => controller.abort(), 300);
      return reply(toolUse('run_python_code', { code: 'import time\ntime.sleep(120)' }));
    });
    const { ctx } = runContext(loopBox, m.model, controller.signal);
    const r = await agent.run(task('slow', [], 'local:analysis-loop'), ctx);
    expect(r.text).toBe('Cancelled.');
    expect(r.charts).toBeUndefined();
  });

  it('without a model, replies with how to configure one and touches nothing', async () => {
    const agent = createAnalysisAgent({ config: analysisConfig(), log: silentLog });
    const csv = file('vehicles.csv', VEHICLES_CSV);
    const { ctx, sandboxCalls } = runContext(undefined, undefined);
    const r = await agent.run(task('how do prices change?', [csv]), ctx);
    expect(r.text).toBe(modelUnavailableReply());
    expect(sandboxCalls()).toBe(0);
    expect(csv.fetches()).toBe(0);
  });
});
