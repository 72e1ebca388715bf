// Runs the fake Bot API as its own process (for gateway end-to-end tests and benchmarks):
//   npx tsx test/fakes/telegram/main.ts [--port N] [--token T]
// Prints one JSON line {"apiRoot","token","bot"} on stdout once listening; SIGTERM/SIGINT stop it.

import { FakeTelegram } from './fake-telegram.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

const port = arg('port');
const token = arg('token');
const fake = await FakeTelegram.start({
  ...(port ? { port: Number(port) } : {}),
  ...(token ? { token } : {}),
});
process.stdout.write(`${JSON.stringify({ apiRoot: fake.apiRoot, token: fake.token, bot: fake.bot })}\n`);
const stop = () => {
  void fake.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
