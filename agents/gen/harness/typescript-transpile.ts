// TypeScript → JavaScript for /gen, types erased and never checked (DESIGN §9.8: "run, not
// type-checked"), with the gateway's pinned `typescript` package. Inside a local sandbox the script
// below does it with the read-only mount; where nothing is mounted (Daytona, isolation "none") the
// gateway does the same transpile itself. Syntax errors come back as `program.ts(6,17): error TS…`.

import { basename } from 'node:path';

/**
 * module "preserve" keeps import/export and require() as written (Node then detects the module
 * kind); the inline source map makes stack traces name program.ts lines.
 */
const OPTIONS = { module: 'preserve', target: 'es2022', inlineSourceMap: true, inlineSources: true };

/** The part of the `typescript` module both sides use. */
interface TypeScriptApi {
  convertCompilerOptionsFromJson(json: unknown, basePath: string): { options: object };
  transpileModule(
    input: string,
    o: { compilerOptions: object; fileName: string; reportDiagnostics: boolean },
  ): {
    outputText: string;
    diagnostics?: {
      category: number;
      code: number;
      start?: number;
      file?: { getLineAndCharacterOfPosition(pos: number): { line: number; character: number } };
      messageText: unknown;
    }[];
  };
  flattenDiagnosticMessageText(messageText: unknown, newLine: string): string;
  DiagnosticCategory: { Error: number };
}

/** `node transpile.mjs TYPESCRIPT_JS INPUT.ts OUTPUT.js`: exit 1 with the errors on stderr. */
export const TRANSPILE_SCRIPT = String.raw`
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';

const [typescriptJs, input, output] = process.argv.slice(2);
const ts = createRequire(import.meta.url)(typescriptJs);
const name = basename(input);
const result = ts.transpileModule(readFileSync(input, 'utf8'), {
  compilerOptions: ts.convertCompilerOptionsFromJson(${JSON.stringify(OPTIONS)}, '/').options,
  fileName: name,
  reportDiagnostics: true,
});
const errors = (result.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
for (const d of errors) {
  const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
  const where = at ? '(' + (at.line + 1) + ',' + (at.character + 1) + ')' : '';
  process.stderr.write(name + where + ': error TS' + d.code + ': ' + ts.flattenDiagnosticMessageText(d.messageText, '\n') + '\n');
}
if (errors.length) process.exit(1);
writeFileSync(output, result.outputText);
`;

let loaded: Promise<TypeScriptApi> | undefined;

/** The gateway's own TypeScript, loaded on first use (it is large). */
function typescript(): Promise<TypeScriptApi> {
  loaded ??= import('typescript').then((m) => (m.default ?? m) as unknown as TypeScriptApi);
  return loaded;
}

/**
 * The same transpile as TRANSPILE_SCRIPT, in the gateway (it parses, never runs, the code; callers
 * bound its size). → the JavaScript, or the errors in the script's format.
 */
export async function transpileOnGateway(
  source: string,
  path: string,
): Promise<{ js: string } | { errors: string }> {
  const ts = await typescript();
  const name = basename(path);
  const result = ts.transpileModule(source, {
    compilerOptions: ts.convertCompilerOptionsFromJson(OPTIONS, '/').options,
    fileName: name,
    reportDiagnostics: true,
  });
  const errors = (result.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length === 0) return { js: result.outputText };
  return {
    errors: errors
      .map((d) => {
        const at =
          d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
        const where = at ? `(${at.line + 1},${at.character + 1})` : '';
        return `${name}${where}: error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}\n`;
      })
      .join(''),
  };
}
