// Response cache keys. The key says who may read the entry:
//   p:<hash>        PUBLIC document: one entry for every caller (the session is left out)
//   u:<tag>:<hash>  PRIVATE document of one caller (tag = short hash of the JWT subject)
//   a:<hash>        PRIVATE document of an anonymous caller: never stored
// The caller tag lets a store tag the entry, so that a caller's mutation can drop all of its
// private entries. The key is also the ETag; it never contains the subject in clear.
import { defaultBuildResponseCacheKey, hashSHA256 } from '@envelop/response-cache';

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

export async function callerTag(sessionId: string): Promise<string> {
  return (await hashSHA256(`caller|${sessionId}`)).slice(0, 24);
}

export async function buildCacheKey(input: CacheKeyInput): Promise<string> {
  const base = {
    documentString: `${input.persistedId ?? ''}|${input.document}`,
    operationName: input.operationName,
    variableValues: input.variables ?? {},
  };
  if (!input.isPrivate) return `p:${await defaultBuildResponseCacheKey({ ...base, sessionId: undefined })}`;
  if (input.sessionId === null) return `a:${await defaultBuildResponseCacheKey({ ...base, sessionId: undefined })}`;
  return `u:${await callerTag(input.sessionId)}:${await defaultBuildResponseCacheKey({ ...base, sessionId: input.sessionId })}`;
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
