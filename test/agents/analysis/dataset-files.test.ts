// File names from chats become safe paths under data/, formats are recognised by extension or MIME
// type, and the first bytes give away a file that is not what its name says.

import { describe, expect, it } from 'vitest';
import { checkContent } from '../../../agents/analysis/content-check.js';
import {
  datasetFormat,
  isDatasetFile,
  sanitizeFileName,
  uniqueNames,
} from '../../../agents/analysis/dataset-files.js';
import { PNG_MAGIC } from '../../sandbox/helpers.js';

describe('dataset file names', () => {
  it.each([
    ['vehicles.csv', 'csv', 'vehicles.csv'],
    ['../../etc/passwd.csv', 'csv', 'passwd.csv'],
    ['..\\..\\windows\\sales.TSV', 'tsv', 'sales.tsv'],
    ['.hidden.json', 'json', 'hidden.json'],
    ['..csv', 'csv', 'dataset.csv'],
    ['Fahrzeugpreise (März).csv', 'csv', 'Fahrzeugpreise_März.csv'],
    ['销售 数据.xlsx', 'xlsx', '销售_数据.xlsx'],
    ['a;rm -rf $HOME`x`.csv', 'csv', 'a_rm_-rf_HOME_x.csv'],
    ['export', 'csv', 'export.csv'],
    ['report.final', 'json', 'report.final.json'],
  ] as const)('%s → %s', (name, format, expected) => {
    expect(sanitizeFileName(name, format)).toBe(expected);
  });

  it('keeps names bounded and unique within one message', () => {
    expect(sanitizeFileName(`${'x'.repeat(500)}.csv`, 'csv')).toBe(`${'x'.repeat(80)}.csv`);
    expect(uniqueNames(['a.csv', 'A.csv', 'a.csv', 'b.json'])).toEqual([
      'a.csv',
      'A-2.csv',
      'a-3.csv',
      'b.json',
    ]);
  });

  it('recognises formats by extension, then by MIME type', () => {
    expect(datasetFormat('x.CSV')).toBe('csv');
    expect(datasetFormat('x.ndjson')).toBe('jsonl');
    expect(datasetFormat('x.parquet')).toBe('parquet');
    expect(datasetFormat('download', 'text/csv; charset=utf-8')).toBe('csv');
    expect(datasetFormat('download', 'application/octet-stream')).toBeUndefined();
    expect(isDatasetFile('photo.png', 'image/png')).toBe(false);
    expect(isDatasetFile('Sales Q3.xlsx')).toBe(true);
  });
});

describe('content check', () => {
  const png = Buffer.concat([PNG_MAGIC, Buffer.alloc(32)]);
  const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]);
  const ole = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1]);

  it('accepts what a name promises', () => {
    expect(checkContent(Buffer.from('a,b\n1,2\n'), 'csv')).toEqual({});
    expect(checkContent(Buffer.from('\uFEFF  [{"a": 1}]'), 'json')).toEqual({});
    expect(checkContent(zip, 'xlsx')).toEqual({});
    expect(checkContent(Buffer.from('PAR1....PAR1'), 'parquet')).toEqual({});
    expect(checkContent(Buffer.from('\xff\xfea\0,\0b\0', 'latin1'), 'csv')).toEqual({ encoding: 'utf-16' });
  });

  it('names what a file really is when it is not', () => {
    expect(checkContent(png, 'csv').problem).toBe('it looks like a PNG image, not a CSV file');
    expect(checkContent(zip, 'csv').problem).toBe('it looks like a zip archive, not a CSV file');
    expect(checkContent(Buffer.from('a\0b'), 'tsv').problem).toBe('it contains binary data, not TSV text');
    expect(checkContent(Buffer.from('name: x'), 'json').problem).toMatch(/not JSON/);
    expect(checkContent(Buffer.from('a,b'), 'xlsx').problem).toBe('it is not an Excel workbook');
    expect(checkContent(ole, 'xlsx').problem).toMatch(/old-style \.xls or a password-protected workbook/);
    expect(checkContent(png, 'parquet').problem).toBe('it is not a Parquet file (it looks like a PNG image)');
  });
});
