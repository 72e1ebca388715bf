// `sandgate token show|rotate`: the gateway token for the API and the dashboard.

import { ensureToken, rotateToken } from '../../http/gateway-token.js';
import { CliError, type RegisterCommands } from '../cli-env.js';

export const registerTokenCommands: RegisterCommands = (program, env) => {
  const token = program.command('token').description('show or rotate the gateway token');
  token
    .command('show')
    .description('print the gateway token (creating it if needed)')
    .action(() => env.out(ensureToken(env.paths.tokenFile, env.config().gatewayToken).token));
  token
    .command('rotate')
    .description('replace the stored token; the old one stops working at once')
    .action(() => {
      if (env.config().gatewayToken) {
        throw new CliError(
          'the token comes from SANDGATE_GATEWAY_TOKEN / config gatewayToken; change it there',
          1,
        );
      }
      env.out(rotateToken(env.paths.tokenFile));
    });
};
