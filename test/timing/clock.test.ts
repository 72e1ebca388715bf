// The one abortable sleep: an abort (a /cancel, a shutdown) ends the wait at once with the
// signal's reason, also when the signal had already fired.

import { describe, expect, it } from 'vitest';
import { sleep } from '../../src/timing/clock.js';

describe('sleep', () => {
  it('ends a long wait at once when its signal aborts, with the reason', async () => {
    const stop = new AbortController();
    const waiting = sleep(60_000, stop.signal);
    stop.abort(new Error('cancelled by the user'));
    await expect(waiting).rejects.toThrow('cancelled by the user');
  });

  it('rejects at once for an already aborted signal, with an AbortError when there is no reason', async () => {
    await expect(sleep(60_000, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('resolves after the time when nothing aborts', async () => {
    const stop = new AbortController();
    await expect(sleep(5, stop.signal)).resolves.toBeUndefined();
  });
});
