// What the edge plugins publish (node:diagnostics_channel): allowlist audits and limit decisions.
// Logs and metrics subscribe by channel name; publishing costs nothing when no one listens.
import { channel } from 'node:diagnostics_channel';
import type { LimitName } from './limits';

/** A document ran although it is not in the allowlist: audit mode, or an internal client's bypass. */
export interface PersistedAuditEvent {
  readonly requestId: string;
  /** `audit`: mode audit let it through; `bypass`: an internal client's secret did. */
  readonly reason: 'audit' | 'bypass';
  readonly operationName: string | undefined;
  /** sha256 hex of the document text (the id it would have in a manifest). */
  readonly documentHash: string;
  /** The internal client's name (bypass only). */
  readonly client: string | undefined;
}

/** A limit was exceeded: refused (`enforced`) or only reported (measure mode). */
export interface LimitEvent {
  readonly requestId: string;
  readonly limit: LimitName;
  /** Null when the value could not be measured (a cost estimate that gave up, a parse stopped at the token limit). */
  readonly actual: number | null;
  readonly max: number;
  readonly enforced: boolean;
  readonly operationName: string | undefined;
}

export const OPERATION_CHANNELS = {
  audit: 'bff:operations:audit',
  limit: 'bff:operations:limit',
} as const;

export const persistedAuditChannel = channel(OPERATION_CHANNELS.audit);
export const limitChannel = channel(OPERATION_CHANNELS.limit);
