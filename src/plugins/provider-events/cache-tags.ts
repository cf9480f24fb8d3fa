// Cache tags a CDN can purge by, on answers of PUBLIC documents: `Cache-Tag` (Cloudflare, Akamai:
// comma-separated) and `Surrogate-Key` (Fastly: space-separated), naming every entity in the answer
// (`Product:prod-1`), its types (`Product`) and its operation (`op:ProductDetail`). The tags ride in
// the stored result's `extensions.http.headers`, which yoga sends as headers and the early hit and
// the node lane copy, so a miss, a hit and a lane hit carry the same tags.
//
// Bounded: an entity tag is kept only when it is short and plain (letters, digits, `_.:-`), and when
// the list passes MAX_TAG_HEADER_LENGTH (Cloudflare's limit is 16 KB, Fastly's 16 KB too) the entity
// tags are dropped and the answer carries its type and operation tags plus an overflow tag per type
// whose entity tags went (`Product:*`), which every purge of one entity of that type also names.
import { createHash } from 'node:crypto';
import type { CacheEntityRecord } from '@envelop/response-cache';
import { getOperationAST, parse } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { GatewayCache } from '../response-cache/response-cache-store';

/** The pseudo-entity an answer is tagged with for its operation, so that the admin API can drop an operation's answers. */
export const OPERATION_ENTITY = '__Operation';

/** Longest header value we send; past it entity tags give way to type tags. */
export const MAX_TAG_HEADER_LENGTH = 8_000;

const PLAIN_TAG = /^[A-Za-z0-9_.:-]{1,128}$/;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,127}$/;

export const isOperationName = (name: string): boolean => OPERATION_NAME.test(name);

/** A tag naming an entity (`Product:prod-1`), a type (`Product`) or an operation (`op:Name`); undefined when unsafe for a header. */
export function tagOf(typename: string, id?: string | number): string | undefined {
  const tag = typename === OPERATION_ENTITY ? (id === undefined ? undefined : `op:${id}`) : id === undefined ? typename : `${typename}:${id}`;
  return tag !== undefined && PLAIN_TAG.test(tag) ? tag : undefined;
}

/** The tag of the answers whose `typename` entity tags were dropped for length (`Product:*`); undefined when unsafe for a header. */
export function overflowTagOf(typename: string): string | undefined {
  const type = typename === OPERATION_ENTITY ? undefined : tagOf(typename);
  return type === undefined || type.length > 126 ? undefined : `${type}:*`;
}

/** The tags of an answer's entities, within MAX_TAG_HEADER_LENGTH. */
export function answerTagsOf(entities: Iterable<CacheEntityRecord>): string[] {
  const all = new Set<string>();
  const coarse = new Set<string>();
  for (const { typename, id } of entities) {
    if (typename.startsWith('__') && typename !== OPERATION_ENTITY) continue;
    const type = typename === OPERATION_ENTITY ? tagOf(typename, id ?? undefined) : tagOf(typename);
    if (type !== undefined) {
      coarse.add(type);
      all.add(type);
    }
    const entity = typename === OPERATION_ENTITY || id === undefined || id === null ? undefined : tagOf(typename, id);
    if (typename !== OPERATION_ENTITY && id !== undefined && id !== null) {
      // The type's overflow tag stands in for entity tags left out: an id a header cannot carry now, the rest if dropped below.
      const overflow = overflowTagOf(typename);
      if (overflow !== undefined) coarse.add(overflow);
      if (entity !== undefined) all.add(entity);
      else if (overflow !== undefined) all.add(overflow);
    }
  }
  const fine = [...all];
  if (fine.join(' ').length <= MAX_TAG_HEADER_LENGTH) return fine;
  const types = [...coarse];
  return types.join(' ').length <= MAX_TAG_HEADER_LENGTH ? types : [];
}

export interface OperationNotes {
  /** Called with every cache key the pipeline builds (response-cache.ts `onCacheKey`). */
  note(key: string, document: string, operationName: string | undefined): void;
  /** The operation name of a key noted earlier. */
  operationOf(key: string): string | undefined;
}

/** Which operation each cache key belongs to (the key is a hash): bounded LRUs of keys and documents. */
export function createOperationNotes(maxKeys = 10_000): OperationNotes {
  const byKey = new LRUCache<string, string>({ max: maxKeys });
  // A document's operation name, parsed once; arbitrary documents (development) are bounded too, and
  // keyed by a digest so that 1,000 entries hold 1,000 short keys, not 1,000 documents.
  const byDocument = new LRUCache<string, string | false>({ max: 1_000 });
  const nameOf = (document: string, operationName: string | undefined): string | undefined => {
    const memoKey = createHash('sha256').update(`${operationName?.length ?? -1}:${operationName ?? ''}`).update(document).digest('base64url');
    let name = byDocument.get(memoKey);
    if (name === undefined) {
      try {
        name = getOperationAST(parse(document), operationName)?.name?.value ?? false;
      } catch {
        name = false;
      }
      byDocument.set(memoKey, name);
    }
    return name === false || !isOperationName(name) ? undefined : name;
  };
  return {
    note(key, document, operationName) {
      if (!key.startsWith('p:') && !key.startsWith('u:')) return;
      if (byKey.has(key)) return;
      const name = nameOf(document, operationName);
      if (name !== undefined) byKey.set(key, name);
    },
    operationOf: (key) => byKey.get(key),
  };
}

type HttpExtension = { headers?: Record<string, string> } & Record<string, unknown>;

/**
 * The response cache's store with two more tags per entry: its operation (for the admin API) and,
 * for PUBLIC entries (`p:` keys), the CDN tag headers in the stored result.
 */
export function withCacheTags(cache: GatewayCache, notes: OperationNotes): GatewayCache {
  return {
    get: (id) => cache.get(id),
    invalidate: (entities) => cache.invalidate(entities),
    invalidateCaller: (sessionId) => cache.invalidateCaller(sessionId),
    drop: (target) => cache.drop(target),
    set(id, data, entities, ttl, startedAt) {
      const operation = notes.operationOf(id);
      const tagged: CacheEntityRecord[] = [...entities];
      if (operation !== undefined) tagged.push({ typename: OPERATION_ENTITY, id: operation });
      if (id.startsWith('p:')) {
        const tags = answerTagsOf(tagged);
        if (tags.length > 0) {
          // Before the store serialises it, and on the very object the pipeline sends for this miss.
          const extensions: Record<string, unknown> = { ...data.extensions };
          const http: HttpExtension = typeof extensions['http'] === 'object' && extensions['http'] !== null ? { ...(extensions['http'] as HttpExtension) } : {};
          http.headers = { ...http.headers, 'cache-tag': tags.join(','), 'surrogate-key': tags.join(' ') };
          extensions['http'] = http;
          (data as { extensions?: Record<string, unknown> }).extensions = extensions;
        }
      }
      return cache.set(id, data, tagged, ttl, startedAt);
    },
  };
}
