// graphql-request: a `fetch` for its `fetch` option that sends the package's documents by id. The client
// prints the document into the request (`query` in the URL on GET, in the JSON body on POST); this puts
// `documentId` in its place when the text is one of the package's documents, and leaves any other
// request as it is (the gateway's allowlist refuses it):
//   new GraphQLClient(url, { method: 'GET', fetch: persistedFetch() })
import { documentIdOfText } from './documents.js';

function requestUrl(input: RequestInfo | URL): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

/** Wraps `base` (default: the global fetch) so that the package's documents travel by id only. */
export function persistedFetch(base: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    if (method === 'GET') {
      const url = new URL(requestUrl(input));
      const text = url.searchParams.get('query');
      const id = text === null ? undefined : documentIdOfText(text);
      if (id === undefined) return base(input, init);
      url.searchParams.delete('query');
      url.searchParams.set('documentId', `sha256:${id}`);
      return base(url.href, init);
    }
    if (typeof init?.body === 'string') {
      let body: unknown;
      try {
        body = JSON.parse(init.body);
      } catch {
        return base(input, init);
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) return base(input, init);
      const { query, ...rest } = body as Record<string, unknown>;
      const id = typeof query === 'string' ? documentIdOfText(query) : undefined;
      if (id === undefined) return base(input, init);
      return base(input, { ...init, body: JSON.stringify({ ...rest, documentId: `sha256:${id}` }) });
    }
    return base(input, init);
  };
}
