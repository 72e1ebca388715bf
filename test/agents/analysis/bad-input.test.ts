// Bad datasets through the analysis agent: each gets a clear reply, nothing is written for it, and the
// model is only called when at least one file is usable. Unicode names and columns just work.

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAnalysisAgent } from '../../../agents/analysis/index.js';
import type { Sandbox } from '../../../src/sandbox/provider.js';
import type { LocalSandboxProvider } from '../../../src/sandbox/providers/local/local-provider.js';
import { lastToolResults, reply, text, toolUse } from '../../fakes/anthropic/server.js';
import { silentLog } from '../../model/helpers.js';
import { localProvider, PNG_MAGIC, tempHome } from '../../sandbox/helpers.js';
import {
  analysisConfig,
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
let box: Sandbox;
let m: ModelHarness;

beforeAll(async () => {
  provider = localProvider(home);
  box = await provider.create({ labels: { conversation: 'local:bad' } });
});
afterAll(async () => {
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

async function dataFiles(): Promise<string[]> {
  const top = await box.listFiles('.');
  if (!top.some((e) => e.isDir && e.path.endsWith('/data'))) return [];
  return (await box.listFiles('data')).map((e) => e.path.split('/').pop() ?? '');
}

function lastPrompt(): string {
  return userText(m.fake.requests.at(-1));
}

const PNG = Buffer.concat([PNG_MAGIC, Buffer.alloc(64, 7)]);

describe('refused before anything is written or the model is asked', () => {
  const cases: { what: string; name: string; data: Buffer | string; size?: number; expected: RegExp }[] = [
    {
      what: 'a file over the configured limit (by its declared size)',
      name: 'vehicles.csv',
      data: VEHICLES_CSV,
      expected:
        /vehicles\.csv is 38\.6 KB, over the 0\.01 MB limit for datasets \(agents\.analysisMaxFileMb\); it was not saved/,
    },
    {
      what: 'a file over the limit that declared a small size',
      name: 'small-ish.csv',
      data: VEHICLES_CSV,
      size: 100,
      expected: /small-ish\.csv is 38\.6 KB, over the 0\.01 MB limit/,
    },
    {
      what: 'an empty file',
      name: 'empty.csv',
      data: '',
      expected: /^empty\.csv is empty; it was not saved\.$/,
    },
    {
      what: 'a PNG named .csv',
      name: 'prices.csv',
      data: PNG,
      expected:
        /^prices\.csv is not a valid CSV file: it looks like a PNG image, not a CSV file\. It was not saved\.$/,
    },
    {
      what: 'text named .xlsx',
      name: 'Budget 2024.xlsx',
      data: 'year,amount\n2024,5\n',
      expected: /Budget 2024\.xlsx is not a valid Excel \(\.xlsx\) file: it is not an Excel workbook/,
    },
    {
      what: 'prose named .json',
      name: 'notes.json',
      data: 'hello, these are my notes',
      expected: /notes\.json is not a valid JSON file: it is not JSON \(it does not start with \{ or \[\)/,
    },
    {
      what: 'a format the agent does not read',
      name: 'photo.gif',
      data: 'GIF89a....',
      expected:
        /photo\.gif is not a dataset format I read \(CSV, TSV, JSON, JSON Lines, Excel \(\.xlsx\) or Parquet\)/,
    },
  ];

  it.each(cases)('$what', async ({ name, data, size, expected }) => {
    const agent = createAnalysisAgent({
      config: analysisConfig({ analysisMaxFileMb: 0.01 }),
      log: silentLog,
    });
    const f = file(name, data, size !== undefined ? { size } : {});
    const { ctx, sandboxCalls } = runContext(box, m.model);
    const r = await agent.run(task('analyze this', [f], 'local:bad'), ctx);
    expect(r.text).toMatch(expected);
    expect(sandboxCalls()).toBe(0);
    expect(m.fake.requests).toHaveLength(0);
    expect(r.charts).toBeUndefined();
    expect(await dataFiles()).toEqual([]);
  });
});

describe('read in the sandbox', () => {
  const agent = () => createAnalysisAgent({ config: analysisConfig(), log: silentLog });

  it('a CSV that pandas cannot parse, or that holds no data, is reported and removed again', async () => {
    const { ctx } = runContext(box, m.model);
    const r = await agent().run(
      task(
        '',
        [
          file('broken.csv', 'a,b\n1,2\n3,4,5,6\n'),
          file('blank.csv', '   \n\n'),
          file('t.parquet', 'PAR1junkPAR1'),
        ],
        'local:bad',
      ),
      ctx,
    );
    expect(r.text).toContain('Some files could not be used:');
    expect(r.text).toContain(
      '- broken.csv could not be read as a CSV file (ParserError: Error tokenizing data. C error: Expected 2 fields in line 3, saw 4); it was not kept.',
    );
    expect(r.text).toContain('- blank.csv has no data in it (no columns could be read); it was not kept.');
    // Without pyarrow the sandbox says what is missing; with it, the junk bytes are unreadable.
    expect(r.text).toMatch(
      /- t\.parquet(: reading Parquet files needs pyarrow| could not be read as a Parquet file)/,
    );
    expect(m.fake.requests).toHaveLength(0);
    expect(await dataFiles()).toEqual([]);
  });

  it('uses the good file of a mixed message, says which file was refused, and keeps names inside data/', async () => {
    m.fake.push((req) => {
      expect(lastPrompt()).toContain('- data/evil.csv (sent as "../../../etc/evil.csv"), 38.6 KB');
      expect(JSON.stringify(req.body)).not.toContain('photo.csv');
      return reply(text('Got the vehicles.'));
    });
    const { ctx } = runContext(box, m.model);
    const r = await agent().run(
      task(
        'what is in here?',
        [file('../../../etc/evil.csv', VEHICLES_CSV), file('photo.csv', PNG)],
        'local:bad',
      ),
      ctx,
    );
    expect(r.text).toBe(
      'photo.csv is not a valid CSV file: it looks like a PNG image, not a CSV file. It was not saved.\n\nGot the vehicles.\n\nNo chart was produced.',
    );
    expect(await dataFiles()).toEqual(['evil.csv']);
  });

  it('handles unicode file names and column names, semicolons and decimal commas', async () => {
    const rows = [
      ['2019', '12000,5', 'Škoda Octavia'],
      ['2020', '15500,25', 'Citroën C3'],
      ['2021', '18999,75', 'Peugeot 208'],
    ];
    const csv = `Jahr;Preis (€);Modèle\n${rows.map((r) => r.join(';')).join('\n')}\n`;
    const mean = rows.reduce((a, r) => a + Number(r[1]!.replace(',', '.')), 0) / rows.length;
    m.fake.push(
      () => {
        const prompt = lastPrompt();
        expect(prompt).toContain('data/Fahrzeugpreise_März.csv (sent as "Fahrzeugpreise (März).csv")');
        expect(prompt).toContain('Preis (€) (float64)');
        expect(prompt).toContain('Modèle (object)');
        expect(prompt).toContain("pd.read_csv('data/Fahrzeugpreise_März.csv', sep=';', decimal=',')");
        return reply(
          toolUse('run_python_code', {
            code: [
              'import pandas as pd, matplotlib.pyplot as plt',
              "preise = pd.read_csv('data/Fahrzeugpreise_März.csv', sep=';', decimal=',')",
              "print('Durchschnitt', round(preise['Preis (€)'].mean(), 2))",
              "preise.plot.bar(x='Modèle', y='Preis (€)'); plt.title('Preis (€) je Modèle'); plt.show()",
            ].join('\n'),
          }),
        );
      },
      (req) => {
        const out = [...lastToolResults(req).values()][0]?.text ?? '';
        return reply(text(`Durchschnittspreis: ${/Durchschnitt ([\d.]+)/.exec(out)?.[1]} €`));
      },
    );
    const { ctx } = runContext(box, m.model);
    const r = await agent().run(
      task('Durchschnittspreis?', [file('Fahrzeugpreise (März).csv', csv)], 'local:bad'),
      ctx,
    );
    expect(r.text).toContain(`Durchschnittspreis: ${Math.round(mean * 100) / 100} €`);
    expect(r.charts?.map((c) => c.title)).toEqual(['Preis (€) je Modèle']);
  });

  it('says so when the sandbox refuses to store a file', async () => {
    const refusing: Sandbox = Object.assign(Object.create(box) as Sandbox, {
      writeFile: async () => {
        throw new Error('file is larger than 1024 bytes');
      },
    });
    const { ctx } = runContext(refusing, m.model);
    const r = await agent().run(task('', [file('vehicles.csv', VEHICLES_CSV)], 'local:bad'), ctx);
    expect(r.text).toBe('I could not save the datasets in the sandbox: file is larger than 1024 bytes');
    expect(m.fake.requests).toHaveLength(0);
  });

  it('previews every sheet of an Excel workbook', async () => {
    const made = await box.runCode(
      [
        'import pandas as pd',
        "with pd.ExcelWriter('/tmp/sales.xlsx') as w:",
        "    pd.DataFrame({'month': ['Jan', 'Feb'], 'units': [10, 12]}).to_excel(w, sheet_name='North', index=False)",
        "    pd.DataFrame({'month': ['Jan'], 'units': [7]}).to_excel(w, sheet_name='South', index=False)",
        "print(open('/tmp/sales.xlsx', 'rb').read().hex())",
      ].join('\n'),
      { context: 'make-xlsx' },
    );
    expect(made.error).toBeUndefined();
    const xlsx = Buffer.from(made.stdout.trim(), 'hex');
    m.fake.push(() => {
      const prompt = lastPrompt();
      expect(prompt).toContain("pd.read_excel('data/Quarterly_sales.xlsx', sheet_name=None)");
      expect(prompt).toContain('sheet "North": 2 rows × 2 columns');
      expect(prompt).toContain('sheet "South": 1 row × 2 columns');
      return reply(text('Two regions.'));
    });
    const { ctx } = runContext(box, m.model);
    const r = await agent().run(task('', [file('Quarterly sales.xlsx', xlsx)], 'local:bad'), ctx);
    expect(r.text).toContain('Two regions.');
  });
});
