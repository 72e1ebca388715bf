// Environment handed to sandboxed commands, checked the same way for every provider: a bad name or
// a NUL byte would break the shell line (Daytona) or the exec call (local), so it is refused early.

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A copy of `env` with every name and value checked; throws naming the first bad variable. */
export function checkEnv(env: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env ?? {})) {
    if (!ENV_KEY.test(k) || typeof v !== 'string' || v.includes('\0')) {
      throw new Error(`invalid environment variable ${JSON.stringify(k)}`);
    }
    out[k] = v;
  }
  return out;
}
