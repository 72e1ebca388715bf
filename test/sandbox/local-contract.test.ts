// The provider contract against the local (bubblewrap) provider, for real.

import { sandboxContract } from './contract.js';
import { localProvider, tempHome } from './helpers.js';

sandboxContract('local', async () => {
  const { home, cleanup } = tempHome();
  const provider = localProvider(home);
  return {
    provider,
    close: async () => {
      await provider.shutdown();
      cleanup();
    },
  };
});
