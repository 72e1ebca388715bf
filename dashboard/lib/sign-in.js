// Signing this device in: ask the gateway for a nonce (with the gateway token, or a one-time link
// secret), sign it with the device key, get the session cookie. The text signed is built here, from the
// nonce and this device's own id, so the gateway cannot make the key sign anything else.

import { ApiError, api } from './api.js';
import { deviceKeys, publicKeyOf, signText } from './device-key.js';

export async function signIn({ token, link }) {
  const pair = await deviceKeys();
  const { publicKey, deviceId } = await publicKeyOf(pair);
  const challenge = await api.auth('/challenge', { publicKey, ...(link ? { link } : { token }) });
  if (challenge.deviceId !== deviceId) {
    throw new ApiError(0, { error: 'the gateway computed a different device id; refusing to sign' });
  }
  const signature = await signText(pair, `sandgate-dashboard-login/v1\n${challenge.nonce}\n${deviceId}`);
  return api.auth('/verify', { deviceId, nonce: challenge.nonce, signature });
}

/** The device id of this browser, if it already has a key (for showing it before signing in). */
export async function localDeviceId() {
  try {
    return (await publicKeyOf(await deviceKeys())).deviceId;
  } catch {
    return undefined;
  }
}
