// What the model reads back from run_python_code: long output is cut with a visible marker, errors
// carry their traceback, timeouts say what to do, and charts are numbered across the run.

import { describe, expect, it } from 'vitest';
import { composeReply } from '../../../agents/analysis/analysis-reply.js';
import { describeCodeRun, STDOUT_MAX_CHARS } from '../../../agents/analysis/python-tool.js';
import { TRUNCATION_MARKER } from '../../../agents/tool-loop/truncate.js';

const chart = (title: string) => ({ type: 'bar', title, png: Buffer.alloc(0) });

describe('run_python_code results', () => {
  it('truncates long stdout in the middle with a marker, keeping head and tail', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `row ${i}`).join('\n');
    const out = describeCodeRun({ stdout: lines, stderr: '', charts: [] }, 30, 1);
    expect(out.length).toBeLessThan(STDOUT_MAX_CHARS + 200);
    expect(out).toContain(TRUNCATION_MARKER);
    expect(out).toContain('row 0\n');
    expect(out).toContain('row 4999');
  });

  it('reports errors with their traceback, and numbers charts from where the run is', () => {
    const out = describeCodeRun(
      {
        stdout: 'partial\n',
        stderr: '',
        charts: [chart('Sales'), chart('')],
        error: { name: 'ZeroDivisionError', value: 'division by zero', traceback: 'Traceback …\n  line 3\n' },
      },
      30,
      3,
    );
    expect(out).toBe(
      [
        'Error: ZeroDivisionError: division by zero',
        'Traceback …\n  line 3',
        '--- stdout ---\npartial',
        'Charts captured (sent to the user as images): #3 "Sales" (bar), #4 (untitled) (bar)',
      ].join('\n'),
    );
  });

  it('tells the model about a timeout and asks it to print when there was no output', () => {
    const timedOut = describeCodeRun(
      {
        stdout: '',
        stderr: '',
        charts: [],
        timedOut: true,
        error: {
          name: 'TimeoutError',
          value: 'execution timed out after 5s and was interrupted',
          traceback: '',
        },
      },
      5,
      1,
    );
    expect(timedOut).toMatch(/^Execution timed out after 5 s and was stopped \(execution timed out/);
    expect(describeCodeRun({ stdout: '', stderr: '', charts: [] }, 5, 1)).toMatch(/print\(\)/);
  });
});

describe('the reply text', () => {
  it('says when no chart was produced, and lists files sent and skipped', () => {
    expect(
      composeReply({
        problems: [],
        answer: 'Prices rise by 9% a year.',
        chartCount: 0,
        mentionNoChart: true,
        sentFiles: ['out/clean.csv'],
        skippedFiles: ['out/big.csv (80.0 MB; use /get out/big.csv)'],
      }),
    ).toBe(
      'Prices rise by 9% a year.\n\nNo chart was produced.\n\nFiles from out/: out/clean.csv\n\nNot sent (too large): out/big.csv (80.0 MB; use /get out/big.csv)',
    );
    expect(
      composeReply({
        problems: [],
        answer: '',
        note: 'Cancelled.',
        chartCount: 0,
        mentionNoChart: false,
        sentFiles: [],
        skippedFiles: [],
      }),
    ).toBe('Cancelled.');
  });
});
