// The Node side of a /gen check. An `--import` preload, run INSIDE the sandbox, counts every
// node:assert / assert/strict call, and a call that throws or rejects counts as failed too (even when
// the tests catch it): the module's functions are replaced in place (named ESM imports follow via
// syncBuiltinESMExports), require('assert') returns a counted callable, and the gateway points the
// program's ESM imports of assert at two wrapper modules (so a bare `assert(x)` counts as well). No
// loader hooks: their worker thread would double Node's address space under the sandbox's limit.
// The tally is written on 'exit' to SANDGATE_GEN_REPORT; a hard crash writes nothing and fails.

/** The wrapper modules the program's assert imports are pointed at, beside the program. */
export const ASSERT_MODULES = { loose: 'sandgate-assert.mjs', strict: 'sandgate-assert-strict.mjs' } as const;

const KEY = "Symbol.for('sandgate.gen.assert')";

/** node:assert's export names (Node 20; later additions still count as properties of the default). */
const NAMES = [
  'AssertionError',
  'CallTracker',
  'deepEqual',
  'deepStrictEqual',
  'doesNotMatch',
  'doesNotReject',
  'doesNotThrow',
  'equal',
  'fail',
  'ifError',
  'match',
  'notDeepEqual',
  'notDeepStrictEqual',
  'notEqual',
  'notStrictEqual',
  'ok',
  'rejects',
  'strict',
  'strictEqual',
  'throws',
];

export function assertModule(kind: keyof typeof ASSERT_MODULES): string {
  return `const a = globalThis[${KEY}].${kind};\nexport default a;\nexport const { ${NAMES.join(', ')} } = a;\n`;
}

const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*)(['"])(?:node:)?assert(\/strict)?\2/g;

/**
 * The program with its ESM imports of assert (`from 'node:assert'`, `import('assert/strict')`)
 * pointed at the wrappers. Only those string literals change, so line numbers stay; an import the
 * pattern misses is still counted except for bare `assert(x)` calls.
 */
export function pointAssertImports(source: string): string {
  return source.replace(SPECIFIER, (_m, lead: string, quote: string, strict?: string) => {
    const file = strict ? ASSERT_MODULES.strict : ASSERT_MODULES.loose;
    return `${lead}${quote}./${file}${quote}`;
  });
}

export const NODE_CHECK = String.raw`
import Module, { createRequire, syncBuiltinESMExports } from 'node:module';
import { writeFileSync } from 'node:fs';

const report = process.env.SANDGATE_GEN_REPORT;
delete process.env.SANDGATE_GEN_REPORT;
const tally = { ran: 0, failed: 0 };
const real = createRequire(import.meta.url)('node:assert');
const made = new Map();

/** Stack lines of this file are noise in the failure the model reads. */
function hideSelf(err) {
  if (err && typeof err.stack === 'string')
    err.stack = err.stack.split('\n').filter((line) => !line.includes(import.meta.url)).join('\n');
  return err;
}

function counted(fn) {
  let wrapper = made.get(fn);
  if (wrapper) return wrapper;
  wrapper = function (...args) {
    tally.ran++;
    let out;
    try {
      out = Reflect.apply(fn, this, args);
    } catch (err) {
      tally.failed++;
      throw hideSelf(err);
    }
    if (out && typeof out.then === 'function')
      return out.then(undefined, (err) => {
        tally.failed++;
        throw hideSelf(err);
      });
    return out;
  };
  Object.defineProperties(wrapper, { name: { value: fn.name }, length: { value: fn.length } });
  made.set(fn, wrapper);
  made.set(wrapper, wrapper);
  return wrapper;
}

const isAssertion = (key, value) => typeof value === 'function' && /^[a-z]/.test(key) && key !== 'strict';

function countedCopy(base) {
  const copy = counted(base);
  for (const key of Object.keys(base)) copy[key] = isAssertion(key, base[key]) ? counted(base[key]) : base[key];
  return copy;
}

const loose = countedCopy(real);
const strict = countedCopy(real.strict);
loose.strict = strict;
strict.strict = strict;
for (const base of [real, real.strict])
  for (const key of Object.keys(base)) if (isAssertion(key, base[key])) base[key] = counted(base[key]);
syncBuiltinESMExports();
Object.defineProperty(globalThis, ${KEY}, { value: { loose, strict } });

const byId = { assert: loose, 'node:assert': loose, 'assert/strict': strict, 'node:assert/strict': strict };
const required = Module.prototype.require;
Module.prototype.require = function (id) {
  return Object.hasOwn(byId, id) ? byId[id] : required.apply(this, arguments);
};

process.on('exit', (code) => {
  if (report) writeFileSync(report, JSON.stringify({ ran: tally.ran, failed: tally.failed, status: code }));
});
`;
