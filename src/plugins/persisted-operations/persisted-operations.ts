// usePersistedOperations: the allowlist of client operations. Accepts APQ (`extensions.persistedQuery.
// sha256Hash`, GET or POST) and trusted documents (`documentId`, optionally `sha256:`-prefixed).
// enforce: only manifest operations run; audit: anything runs, unlisted documents are published;
// off (development): APQ registration, as Apollo's and urql's links expect it.
//
// Written here rather than with @graphql-yoga/plugin-persisted-operations: that plugin has no APQ
// registration (a second plugin, @graphql-yoga/plugin-apq, would have to agree with it on every
// mode), answers "not found" with one status whatever the mode, and never checks a sent document
// against its hash; one onParams hook covers the three modes, both id forms and the bypass.
import type { Plugin } from 'graphql-yoga';
import type { PersistedOperationsMode } from '../../config';
import { secretEquals } from '../../config/secret-equal';
import { AppError } from '../../errors/app-error';
import { createApqRegistry } from '../../operations/apq-registry';
import { persistedAuditChannel, type PersistedAuditEvent } from '../../observability/channels';
import { SHA256_HEX, sha256Hex } from '../../operations/manifest';
import { readManifests } from '../../operations/manifest-files';
import { createPersistedStore, type PersistedOperationStore } from '../../operations/persisted-store';
import { persistedIdOf } from './persisted-id';
import { requestIdOf } from '../request-id';

export interface PersistedOperationsOptions {
  readonly mode: PersistedOperationsMode;
  /** The manifests' union (manifest.json and every retained release). */
  readonly store: PersistedOperationStore;
  /** Secret of `x-internal-client: <name>:<secret>`; unset, nobody bypasses the allowlist. @default undefined */
  readonly bypassSecret?: string | undefined;
  /** Called for every unlisted document that runs (audit mode, bypass); also published on `bff:operations:audit`. */
  readonly onAudit?: (event: PersistedAuditEvent) => void;
  /** APQ registrations kept in mode `off`. @default 1000 */
  readonly maxRegistered?: number;
}

/**
 * The union of manifest.json and every released manifest under `dir`, each id verified against its
 * body; throws a ManifestError naming the file and operation (the gateway then refuses to start).
 */
export function loadPersistedStore(dir: string): PersistedOperationStore {
  return createPersistedStore(readManifests(dir));
}

export const INTERNAL_CLIENT_HEADER = 'x-internal-client';
const CLIENT_NAME = /^[A-Za-z0-9._-]{1,64}$/;

interface ParamsLike {
  query?: unknown;
  extensions?: unknown;
  documentId?: unknown;
  operationName?: unknown;
}

/** The internal client's name when its header carries the bypass secret (compared in constant time). */
function bypassClient(request: Request, secret: string | undefined): string | undefined {
  if (!secret) return undefined;
  const header = request.headers.get(INTERNAL_CLIENT_HEADER);
  const colon = header?.indexOf(':') ?? -1;
  if (!header || colon < 1) return undefined;
  const name = header.slice(0, colon);
  const ok = secretEquals(header.slice(colon + 1), secret);
  return ok && CLIENT_NAME.test(name) ? name : undefined;
}

export function usePersistedOperations(options: PersistedOperationsOptions): Plugin {
  const { mode, store } = options;
  const registry = createApqRegistry(options.maxRegistered);
  const notFound = () => new AppError('PERSISTED_QUERY_NOT_FOUND', undefined, mode === 'enforce' ? { status: 'enforced' } : {});

  const audit = (request: Request, reason: PersistedAuditEvent['reason'], params: ParamsLike, query: string, client?: string) => {
    const event: PersistedAuditEvent = {
      requestId: requestIdOf(request),
      reason,
      operationName: typeof params.operationName === 'string' ? params.operationName : undefined,
      documentHash: sha256Hex(query),
      client,
    };
    options.onAudit?.(event);
    if (persistedAuditChannel.hasSubscribers) persistedAuditChannel.publish(event);
  };

  return {
    onRequestParse({ request, url }) {
      if (request.method !== 'GET') return undefined;
      // yoga's GET parser keeps only the four standard parameters.
      const documentId = url.searchParams.get('documentId');
      if (!documentId) return undefined;
      return {
        onRequestParseDone({ requestParserResult, setRequestParserResult }) {
          if (!Array.isArray(requestParserResult)) setRequestParserResult({ ...requestParserResult, documentId } as typeof requestParserResult);
        },
      };
    },

    onParams({ params, request, setParams }) {
      const sent = params as ParamsLike;
      const { documentId: _documentId, ...rest } = params as typeof params & { documentId?: unknown };
      const query = typeof sent.query === 'string' && sent.query !== '' ? sent.query : undefined; // some clients send "" with an id
      const id = persistedIdOf(sent);

      if (id === undefined) {
        if (query === undefined || mode === 'off') return;
        if (store.get(sha256Hex(query))) return; // a manifest body sent in full is still that operation
        const client = bypassClient(request, options.bypassSecret);
        if (client) return audit(request, 'bypass', sent, query, client);
        if (mode === 'audit') return audit(request, 'audit', sent, query);
        throw new AppError('PERSISTED_QUERY_ONLY');
      }

      if (!SHA256_HEX.test(id)) throw new AppError('BAD_REQUEST', 'A persisted operation id is a lower-case sha256 hex string.');
      const listed = store.get(id)?.body ?? (mode === 'off' ? registry.get(id) : undefined);
      if (query !== undefined) {
        if (sha256Hex(query) !== id) throw new AppError('PERSISTED_QUERY_HASH_MISMATCH');
        if (listed === undefined) {
          // Registration is a development convenience; never in enforce or audit mode.
          if (mode === 'off') registry.register(id, query);
          else if (mode === 'audit') audit(request, 'audit', sent, query);
          else {
            const client = bypassClient(request, options.bypassSecret);
            if (!client) throw notFound();
            audit(request, 'bypass', sent, query, client);
          }
        }
        setParams({ ...rest, query });
        return;
      }
      if (listed === undefined) throw notFound();
      setParams({ ...rest, query: listed });
    },

    // Manifest bodies were parsed at load: hand over that AST, so limits and cost (cached per AST) run once.
    onParse({ params, setParsedDocument }) {
      const document = typeof params.source === 'string' ? store.documentOf(params.source) : undefined;
      if (document) setParsedDocument(document);
    },
  };
}
