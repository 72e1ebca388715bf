// The provider contract against the Daytona provider: the real @daytonaio/sdk talking to the
// protocol fake in test/fakes/daytona.

import { daytonaClient } from '../../src/sandbox/providers/daytona/daytona-client.js';
import { DaytonaSandboxProvider } from '../../src/sandbox/providers/daytona/daytona-provider.js';
import { startFakeDaytona } from '../fakes/daytona/server.js';
import { sandboxContract } from './contract.js';
import { silentLog } from './helpers.js';

sandboxContract('daytona', async () => {
  const fake = await startFakeDaytona();
  const provider = new DaytonaSandboxProvider({
    client: daytonaClient({ apiKey: fake.apiKey, apiUrl: fake.apiUrl, polling: true }),
    log: silentLog,
    autoStopMinutes: 15,
    autoDeleteMinutes: 60,
    interruptGraceMs: 500,
  });
  return { provider, close: () => fake.close() };
});
