// The persisted-operation id a client sent, in either form: APQ `extensions.persistedQuery.sha256Hash`
// or trusted-documents `documentId` (bare or `sha256:`-prefixed). One reading for the allowlist, the
// cache key and the log line.

export interface PersistedIdParams {
  readonly extensions?: unknown;
  readonly documentId?: unknown;
}

/** The id; `''` when a persistedQuery extension carries no string hash; undefined when none was sent. */
export function persistedIdOf(params: PersistedIdParams | undefined): string | undefined {
  if (params === undefined) return undefined;
  if (typeof params.documentId === 'string') return params.documentId.startsWith('sha256:') ? params.documentId.slice(7) : params.documentId;
  const ext = params.extensions;
  if (ext && typeof ext === 'object' && 'persistedQuery' in ext) {
    const pq = (ext as { persistedQuery?: unknown }).persistedQuery;
    if (pq && typeof pq === 'object' && 'sha256Hash' in pq) {
      const hash = (pq as { sha256Hash?: unknown }).sha256Hash;
      return typeof hash === 'string' ? hash : '';
    }
  }
  return undefined;
}
