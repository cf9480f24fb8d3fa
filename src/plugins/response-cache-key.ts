// Response cache keys. The key says who may read the entry:
//   p:<hash>        PUBLIC document: one entry for every caller (the session is left out)
//   u:<tag>:<hash>  PRIVATE document of one caller (tag = short hash of the JWT subject)
//   a:<hash>        PRIVATE document of an anonymous caller: never stored
// The caller tag lets a store tag the entry, so that a caller's mutation can drop all of its
// private entries. The key never contains the subject in clear.
//
// Hashing is node:crypto's, synchronous: envelop's default key builder hashes with WebCrypto's
// async digest, which took 27% of a cache hit's CPU (a thread-pool job and two promises per key).
// The hashed text and the hex digest are the same as envelop's, so keys do not change.
import stableStringify from 'fast-json-stable-stringify';
import { sha256Hex } from '../operations/manifest';

/** The pseudo-entity every PRIVATE entry of a caller is tagged with (`__` names cannot clash with schema types). */
export const CALLER_ENTITY = '__Caller';

export interface CacheKeyInput {
  /** The document text; empty for a persisted operation not resolved yet. */
  readonly document: string;
  /** documentId / persisted query hash, when the request names one. */
  readonly persistedId: string | undefined;
  readonly operationName: string | undefined;
  readonly variables: Record<string, unknown> | undefined;
  /** The JWT subject; null for anonymous callers. */
  readonly sessionId: string | null;
  readonly isPrivate: boolean;
}

export function callerTag(sessionId: string): string {
  return sha256Hex(`caller|${sessionId}`).slice(0, 24);
}

/** envelop's `defaultBuildResponseCacheKey`, synchronously. */
function documentKey(input: CacheKeyInput, sessionId: string): string {
  const document = `${input.persistedId ?? ''}|${input.document}`;
  return sha256Hex([document, input.operationName ?? '', stableStringify(input.variables ?? {}), sessionId].join('|'));
}

export function buildCacheKey(input: CacheKeyInput): string {
  if (!input.isPrivate) return `p:${documentKey(input, '')}`;
  if (input.sessionId === null) return `a:${documentKey(input, '')}`;
  return `u:${callerTag(input.sessionId)}:${documentKey(input, input.sessionId)}`;
}

/** The caller tag of a private key; undefined for public and anonymous keys. */
export function callerTagOfKey(key: string): string | undefined {
  if (!key.startsWith('u:')) return undefined;
  const end = key.indexOf(':', 2);
  return end > 2 ? key.slice(2, end) : undefined;
}

export function isStorableKey(key: string): boolean {
  return key.startsWith('p:') || key.startsWith('u:');
}
