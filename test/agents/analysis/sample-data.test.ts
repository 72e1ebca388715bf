// The shipped sample dataset is exactly what the seeded generator produces (so it can be rebuilt and
// reviewed), and it has the shape the walkthrough in docs/analysis.md relies on.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SAMPLE_ROWS, SAMPLE_SEED, VEHICLE_COLUMNS, vehiclesCsv } from '../../../scripts/make-sample-data.js';

const committed = readFileSync(new URL('../../../data/samples/vehicles.csv', import.meta.url), 'utf8');

describe('sample vehicles dataset', () => {
  it('matches the generator output byte for byte, and the generator is deterministic', () => {
    expect(vehiclesCsv()).toBe(committed);
    expect(vehiclesCsv(SAMPLE_SEED, 50)).toBe(vehiclesCsv(SAMPLE_SEED, 50));
    expect(vehiclesCsv(SAMPLE_SEED + 1, 50)).not.toBe(vehiclesCsv(SAMPLE_SEED, 50));
  });

  it('has listings across model years with prices that fall with age', () => {
    const [header, ...lines] = committed.trimEnd().split('\n');
    expect(header).toBe(VEHICLE_COLUMNS.join(','));
    expect(lines).toHaveLength(SAMPLE_ROWS);
    const byYear = new Map<number, number[]>();
    for (const line of lines) {
      const cells = line.split(',');
      expect(cells).toHaveLength(VEHICLE_COLUMNS.length);
      const year = Number(cells[1]);
      byYear.set(year, [...(byYear.get(year) ?? []), Number(cells[7])]);
    }
    expect(Math.min(...byYear.keys())).toBe(2005);
    expect(Math.max(...byYear.keys())).toBe(2024);
    const mean = (y: number) => {
      const xs = byYear.get(y) ?? [];
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(mean(2023)).toBeGreaterThan(mean(2018));
    expect(mean(2018)).toBeGreaterThan(mean(2010));
  });
});
