// What the edge reads of an HTTP request: its method, URL and headers. A fetch Request is one; so is
// the node lane's view of an IncomingMessage (src/server/cached-get-lane.ts), which answers cached
// GETs without building a Request. Helpers that only read these take a RequestHead, so both paths
// share them (and their per-request memos, keyed by the object).

export interface RequestHead {
  readonly method: string;
  /** Absolute for a fetch Request; the path and query for the node lane. */
  readonly url: string;
  readonly headers: {
    get(name: string): string | null;
    has(name: string): boolean;
  };
}
