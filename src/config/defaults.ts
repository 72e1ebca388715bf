// The schema's defaults as values, for parts that take optional settings (providers built by tests
// or the offline CLI): every default is written once, in schema.ts, and read from here.

import { configSchema } from './schema.js';

export const CONFIG_DEFAULTS = configSchema.parse({});
export const SANDBOX_DEFAULTS = CONFIG_DEFAULTS.sandbox;
