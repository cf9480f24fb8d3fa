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
//
// The variables are the operation's declared ones, coerced (response-cache-variables.ts); a key
// that cannot be built from them is UNCACHEABLE_KEY, which no store ever reads or writes.
import { sha256Hex } from '../../operations/manifest';

/** The pseudo-entity every PRIVATE entry of a caller is tagged with (`__` names cannot clash with schema types). */
export const CALLER_ENTITY = '__Caller';

/** The key of a request that must not be cached (its variables cannot be keyed): never stored, never looked up. */
export const UNCACHEABLE_KEY = 'x:';

/**
 * Nesting the key's variables may have. Declared input types here are at most 3 deep; only a
 * custom scalar without parseValue (DateTime) passes raw JSON of any depth through coercion.
 */
export const MAX_KEY_VARIABLES_DEPTH = 32;

export interface CacheKeyInput {
  /** The document text; empty for a persisted operation not resolved yet. */
  readonly document: string;
  /** documentId / persisted query hash, when the request names one. */
  readonly persistedId: string | undefined;
  readonly operationName: string | undefined;
  /** The operation's declared variables, coerced (response-cache-variables.ts), never the raw ones. */
  readonly variables: Record<string, unknown> | undefined;
  /** The caller's session (sessionOf: JWT subject and scopes); null for anonymous callers. */
  readonly sessionId: string | null;
  readonly isPrivate: boolean;
}

/** Tags every private entry of one JWT subject, whatever the scopes of its tokens (a mutation drops them all). */
export function callerTag(subject: string): string {
  return sha256Hex(`caller|${subject}`).slice(0, 24);
}

/**
 * The session a private entry is stored under: the subject and its sorted scopes, so that a token
 * with fewer scopes never reads an answer made for one with more (authorization depends on them).
 * Length-prefixed, so that the subject is read back unambiguously for its tag.
 */
export function sessionOf(caller: { readonly id: string; readonly scopes: readonly string[] } | null): string | null {
  return caller === null ? null : `${caller.id.length}:${caller.id}|${[...caller.scopes].sort().join(' ')}`;
}

/** The subject of a session made by sessionOf (any other string is taken as a bare subject). */
function subjectOf(sessionId: string): string {
  const colon = sessionId.indexOf(':');
  const length = colon > 0 ? Number(sessionId.slice(0, colon)) : NaN;
  return Number.isInteger(length) && sessionId[colon + 1 + length] === '|' ? sessionId.slice(colon + 1, colon + 1 + length) : sessionId;
}

/**
 * fast-json-stable-stringify's output (envelop's, so keys do not change), with a depth bound:
 * undefined past `maxDepth` instead of a stack overflow that would fail the request.
 */
export function stableJson(value: unknown, maxDepth = MAX_KEY_VARIABLES_DEPTH): string | undefined {
  let tooDeep = false;
  const write = (node: unknown, depth: number): string | undefined => {
    if (typeof node === 'object' && node !== null && 'toJSON' in node && typeof node.toJSON === 'function') node = (node.toJSON as () => unknown)();
    if (node === undefined) return undefined;
    if (typeof node === 'number') return Number.isFinite(node) ? String(node) : 'null';
    if (typeof node !== 'object') return JSON.stringify(node);
    if (node === null) return 'null';
    if (depth >= maxDepth) {
      tooDeep = true;
      return 'null';
    }
    if (Array.isArray(node)) {
      const items: string[] = [];
      for (const item of node as unknown[]) items.push(write(item, depth + 1) ?? 'null');
      return `[${items.join(',')}]`;
    }
    const record = node as Record<string, unknown>;
    const fields: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const text = write(record[key], depth + 1);
      if (text) fields.push(`${JSON.stringify(key)}:${text}`);
    }
    return `{${fields.join(',')}}`;
  };
  const text = write(value, 0);
  return tooDeep ? undefined : text;
}

/** envelop's `defaultBuildResponseCacheKey`, synchronously; undefined when the variables are too deep to key. */
function documentKey(input: CacheKeyInput, sessionId: string): string | undefined {
  const variables = stableJson(input.variables ?? {});
  if (variables === undefined) return undefined;
  const document = `${input.persistedId ?? ''}|${input.document}`;
  return sha256Hex([document, input.operationName ?? '', variables, sessionId].join('|'));
}

export function buildCacheKey(input: CacheKeyInput): string {
  const hash = documentKey(input, input.isPrivate && input.sessionId !== null ? input.sessionId : '');
  if (hash === undefined) return UNCACHEABLE_KEY;
  if (!input.isPrivate) return `p:${hash}`;
  if (input.sessionId === null) return `a:${hash}`;
  return `u:${callerTag(subjectOf(input.sessionId))}:${hash}`;
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
