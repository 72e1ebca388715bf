// The public surface of pairing/: what the gateway (src/cli/assemble.ts), the CLI and the dashboard import.

export { type AccessMessage, isBotSender } from './access-control.js';
export type { AddOptions, AddResult, RemoveResult } from './allow-changes.js';
export type { AllowEntry, EntryKind } from './allowlist.js';
export type { ApprovalResult, ApproveOptions, DenialResult } from './approvals.js';
export { type Actor, type AuditAction, type AuditEntry, chatActor } from './audit.js';
export type { PairingStore } from './context.js';
export { describeSender, formatRemaining, safeText } from './display.js';
export { PairingError, type PairingErrorKind } from './errors.js';
export {
  createPairing,
  MAX_PENDING_PER_CHANNEL,
  type Pairing,
  type PairingOptions,
  type PendingRequest,
} from './pairing.js';
export { CODE_ALPHABET, CODE_LENGTH, CODE_TTL_MS, generateCode, normaliseCode } from './pairing-codes.js';
export type { PairingRequest, RequestState } from './pairing-requests.js';
export {
  CHANNEL_IDS,
  type ChannelName,
  type ChannelPolicy,
  type DmPolicy,
  type GroupPolicy,
  type PolicyConfig,
  policyWarnings,
} from './policies.js';
