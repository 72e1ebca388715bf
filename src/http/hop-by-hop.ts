// Headers that belong to one connection, not to the message (RFC 9110 §7.6.1, plus the common
// non-standard keep-alive and proxy-connection): a proxy must not forward them. Each of the
// gateway's proxies (preview links, the model proxy) drops these and adds its own.

export const HOP_BY_HOP_HEADERS: readonly string[] = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];
