// Apollo Client: the persisted-queries link with the package's ids, for a gateway that allows persisted
// operations only. Queries go as GET (`useGETForHashedQueries`), mutations as POST; the document text is
// never sent, not even after an error (no retry with the text, never disabled):
//   link: persistedQueryLink().concat(new HttpLink({ uri }))
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { documentId } from './documents.js';

export interface PersistedQueryLinkOptions {
  /** Send queries as GET (cacheable). @default true */
  readonly useGETForHashedQueries?: boolean;
}

export function persistedQueryLink(options: PersistedQueryLinkOptions = {}): PersistedQueryLink {
  return new PersistedQueryLink({
    generateHash: (document) => documentId(document),
    useGETForHashedQueries: options.useGETForHashedQueries ?? true,
    retry: () => false,
    disable: () => false,
  });
}
