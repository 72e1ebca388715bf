// The provider contract against the Daytona provider: the real @daytonaio/sdk talking to the
// protocol fake in test/fakes/daytona.

import { startFakeDaytona } from '../fakes/daytona/server.js';
import { sandboxContract } from './contract.js';
import { daytonaProvider } from './helpers.js';

sandboxContract('daytona', async () => {
  const fake = await startFakeDaytona();
  const provider = daytonaProvider(fake);
  return { provider, close: () => fake.close() };
});
