// Generates the sample dataset shipped in data/samples/ (used by the docs/analysis.md walkthrough):
// used-vehicle listings with prices by model year. Seeded, integer-only output, so the same seed
// always yields byte-identical files. Run: npx tsx scripts/make-sample-data.ts

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const SAMPLE_SEED = 20240611;
export const SAMPLE_ROWS = 800;
/** The year the listings are "from": ages and mileage count up to it. */
export const LISTING_YEAR = 2025;

/** mulberry32: tiny, seedable, identical on every platform. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface VehicleModel {
  make: string;
  model: string;
  body: string;
  fuels: string[];
  /** New price in LISTING_YEAR - 1, in USD. */
  base: number;
  firstYear: number;
}

const MODELS: VehicleModel[] = [
  {
    make: 'Toyota',
    model: 'Corolla',
    body: 'sedan',
    fuels: ['gasoline', 'hybrid'],
    base: 24000,
    firstYear: 2005,
  },
  { make: 'Toyota', model: 'RAV4', body: 'suv', fuels: ['gasoline', 'hybrid'], base: 32000, firstYear: 2005 },
  { make: 'Honda', model: 'Civic', body: 'sedan', fuels: ['gasoline'], base: 25000, firstYear: 2005 },
  {
    make: 'Ford',
    model: 'F-150',
    body: 'truck',
    fuels: ['gasoline', 'diesel'],
    base: 42000,
    firstYear: 2005,
  },
  {
    make: 'Volkswagen',
    model: 'Golf',
    body: 'hatchback',
    fuels: ['gasoline', 'diesel'],
    base: 23000,
    firstYear: 2005,
  },
  {
    make: 'BMW',
    model: '3 Series',
    body: 'sedan',
    fuels: ['gasoline', 'diesel'],
    base: 45000,
    firstYear: 2005,
  },
  { make: 'Subaru', model: 'Outback', body: 'wagon', fuels: ['gasoline'], base: 30000, firstYear: 2005 },
  { make: 'Nissan', model: 'Leaf', body: 'hatchback', fuels: ['electric'], base: 30000, firstYear: 2011 },
  { make: 'Tesla', model: 'Model 3', body: 'sedan', fuels: ['electric'], base: 42000, firstYear: 2017 },
  { make: 'Chevrolet', model: 'Bolt', body: 'hatchback', fuels: ['electric'], base: 28000, firstYear: 2017 },
];

export const VEHICLE_COLUMNS = [
  'id',
  'year',
  'make',
  'model',
  'body_type',
  'fuel',
  'mileage_km',
  'price_usd',
];

/** The listings as CSV text (header + `rows` lines, `\n` line ends). */
export function vehiclesCsv(seed = SAMPLE_SEED, rows = SAMPLE_ROWS): string {
  const rand = seededRandom(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const lines = [VEHICLE_COLUMNS.join(',')];
  for (let id = 1; id <= rows; id++) {
    // Newer cars are listed more often: skew ages towards zero.
    const age = Math.min(19, Math.floor(20 * rand() * rand() + rand() * 2));
    const year = LISTING_YEAR - 1 - age;
    const candidates = MODELS.filter((m) => m.firstYear <= year);
    const m = pick(candidates);
    const fuel = pick(m.fuels);
    const mileage = Math.round(((age + 0.3) * 13_000 * (0.6 + 0.8 * rand())) / 100) * 100;
    const newPrice = m.base * 1.025 ** (year - (LISTING_YEAR - 1));
    const depreciation = (fuel === 'electric' ? 0.82 : 0.86) ** age;
    const wear = Math.max(0.55, 1 - mileage * 0.0000012);
    const noise = 0.9 + 0.2 * rand();
    const price = Math.max(800, Math.round((newPrice * depreciation * wear * noise) / 50) * 50);
    // About 2% of listings do not state the mileage.
    const mileageText = rand() < 0.02 ? '' : String(mileage);
    lines.push([id, year, m.make, m.model, m.body, fuel, mileageText, price].join(','));
  }
  return `${lines.join('\n')}\n`;
}

export const SAMPLE_PATH = 'data/samples/vehicles.csv';

function main(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const target = join(root, SAMPLE_PATH);
  mkdirSync(dirname(target), { recursive: true });
  const csv = vehiclesCsv();
  writeFileSync(target, csv);
  process.stdout.write(`wrote ${SAMPLE_PATH} (${csv.length} bytes, ${SAMPLE_ROWS} rows)\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
