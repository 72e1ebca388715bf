// The loader hook behind register.mjs: appends each loaded module's URL to SANDGATE_TRACE_MODULES.
import { appendFileSync } from 'node:fs';

export async function load(url, context, next) {
  if (process.env.SANDGATE_TRACE_MODULES) appendFileSync(process.env.SANDGATE_TRACE_MODULES, `${url}\n`);
  return next(url, context);
}
