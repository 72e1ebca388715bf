// A Daytona SDK client from our settings. Its own module so that importing the provider does not load
// the SDK (which brings OpenTelemetry and the AWS SDK): the provider imports this on first use.

import { Daytona, type DaytonaConfig } from '@daytonaio/sdk';

/** `polling`: the SDK's request/response polling instead of its event socket (the protocol fake has none). */
export function daytonaClient(o: {
  apiKey: string;
  apiUrl?: string;
  target?: string;
  polling?: boolean;
}): Daytona {
  const config: DaytonaConfig = { apiKey: o.apiKey };
  if (o.apiUrl) config.apiUrl = o.apiUrl;
  if (o.target) config.target = o.target;
  if (o.polling) config.useDeprecatedPolling = true;
  return new Daytona(config);
}
