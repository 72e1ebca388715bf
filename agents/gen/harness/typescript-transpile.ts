// TypeScript → JavaScript for /gen, types erased and never checked (DESIGN §9.8: "run, not
// type-checked"), with the gateway's pinned `typescript` package. Inside a local sandbox the script
// below does it with the read-only mount; where nothing is mounted (Daytona, isolation "none") the
// same code runs in a worker thread of the gateway, so loading TypeScript (~9 MB) and parsing
// untrusted code never block the gateway's event loop. Errors read `program.ts(6,17): error TS…`.

import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { hostTypeScriptDir } from '../../../src/sandbox/typescript-runtime.js';

/**
 * module "preserve" keeps import/export and require() as written (Node then detects the module
 * kind); the inline source map makes stack traces name program.ts lines.
 */
const OPTIONS = { module: 'preserve', target: 'es2022', inlineSourceMap: true, inlineSources: true };

/** `transpile(ts, source, name)` → `{ js }` or `{ errors }`: the one implementation both sides run. */
const CORE = String.raw`
function transpile(ts, source, name) {
  const result = ts.transpileModule(source, {
    compilerOptions: ts.convertCompilerOptionsFromJson(${JSON.stringify(OPTIONS)}, '/').options,
    fileName: name,
    reportDiagnostics: true,
  });
  const errors = (result.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length === 0) return { js: result.outputText };
  return {
    errors: errors
      .map((d) => {
        const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
        const where = at ? '(' + (at.line + 1) + ',' + (at.character + 1) + ')' : '';
        return name + where + ': error TS' + d.code + ': ' + ts.flattenDiagnosticMessageText(d.messageText, '\n') + '\n';
      })
      .join(''),
  };
}
`;

/** `node transpile.mjs TYPESCRIPT_JS INPUT.ts OUTPUT.js` inside the sandbox: exit 1 with the errors on stderr. */
export const TRANSPILE_SCRIPT = String.raw`
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
${CORE}
const [typescriptJs, input, output] = process.argv.slice(2);
const out = transpile(createRequire(import.meta.url)(typescriptJs), readFileSync(input, 'utf8'), basename(input));
if (out.errors) {
  process.stderr.write(out.errors);
  process.exit(1);
}
writeFileSync(output, out.js);
`;

const WORKER = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const ts = require(workerData.typescriptJs);
${CORE}
parentPort.on('message', (m) => {
  let reply;
  try {
    reply = transpile(ts, m.source, m.name);
  } catch (err) {
    reply = { errors: m.name + ': ' + String((err && err.message) || err) + '\n' };
  }
  parentPort.postMessage({ id: m.id, ...reply });
});
`;

export type TranspileResult = { js: string } | { errors: string };

/** A parse of hostile input may not hold the worker longer than this, or take more memory. */
const TRANSPILE_TIMEOUT_MS = 30_000;
const WORKER_HEAP_MB = 512;

/**
 * The gateway-side transpiler: one worker thread, started on first use and ended by close(). A
 * worker that crashes or times out is replaced on the next call; the caller gets `{ errors }`.
 */
export class GatewayTranspiler {
  private worker?: Worker;
  private readonly pending = new Map<number, (r: TranspileResult) => void>();
  private seq = 0;

  transpile(source: string, name: string): Promise<TranspileResult> {
    const dir = hostTypeScriptDir();
    if (!dir)
      return Promise.resolve({
        errors: `${name}: TypeScript is not installed with the gateway (npm install)\n`,
      });
    const worker = this.start(join(dir, 'lib', 'typescript.js'));
    const id = ++this.seq;
    return new Promise<TranspileResult>((resolve) => {
      const timer = setTimeout(() => {
        this.settle(id, { errors: `${name}: transpiling took over ${TRANSPILE_TIMEOUT_MS / 1000} s\n` });
        void this.close();
      }, TRANSPILE_TIMEOUT_MS);
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      worker.postMessage({ id, source, name });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(typescriptJs: string): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER, {
      eval: true,
      workerData: { typescriptJs },
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    worker.unref();
    worker.on('message', (m: { id: number } & TranspileResult) => {
      const { id, ...result } = m;
      this.settle(id, result as TranspileResult);
    });
    const fail = (why: string) => {
      if (this.worker === worker) this.worker = undefined;
      for (const id of [...this.pending.keys()])
        this.settle(id, { errors: `TypeScript transpiler ${why}\n` });
    };
    worker.on('error', (err) => fail(`failed: ${err.message}`));
    worker.on('exit', (code) => fail(`stopped (exit ${code})`));
    this.worker = worker;
    return worker;
  }

  private settle(id: number, result: TranspileResult): void {
    const done = this.pending.get(id);
    this.pending.delete(id);
    done?.(result);
  }
}
