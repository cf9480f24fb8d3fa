// The fetch classes yoga serves with: whatwg-node's own Request/Response/Headers over node:http.
// Named explicitly because @whatwg-node/fetch's automatic choice takes Node's native classes
// whenever Next.js globals exist (shouldSkipPonyfill), and under `next start` those cost more per
// request: the request body becomes a web stream, every header goes through WebIDL checks, and
// the answer is read back through a stream. The standalone server already got these classes.
import * as ponyfill from '@whatwg-node/node-fetch';
import type { YogaServerOptions } from 'graphql-yoga';

type FetchAPI = NonNullable<YogaServerOptions<Record<string, unknown>, Record<string, unknown>>['fetchAPI']>;

// The classes implement the fetch API; only their declarations differ from lib.dom's in option
// types (RequestPonyfillInit vs RequestInit), hence the one assertion.
export const NODE_FETCH_API = ponyfill as unknown as FetchAPI;
