// The node lane for cached GETs: on node:http (the standalone server, Next's custom-server mode and
// the Next.js API route, which all hand over Node's request and response),
// a GET of a persisted operation whose answer is in the response cache is answered straight from
// the IncomingMessage, without building a fetch Request and Response or running yoga's hooks. The
// early hit inside yoga (response-cache-early-hit.ts) already skipped the GraphQL work; what was
// left per hit was whatwg-node's request and response objects, the hook chain and the header
// objects, about half of a hit's CPU (bench: ours-cache-hit).
//
// The lane does what the pipeline does for such a request, with the pipeline's own parts: the same
// lookup (allowlist, CSRF rule, Accept, caller, key), request id, inbound budgets (a refusal is
// the same 429), ETag and 304, Cache-Control and Vary (http-cache-headers.ts), headers and log
// line. It looks up first and spends the caller's budget only for a hit, so a miss falls through
// to yoga untouched (yoga then skips its own early lookup); a hit that is refused gets the
// pipeline's 429 (no-store). Anything unusual goes to yoga: another
// method or path, an Origin header (CORS is yoga's), a failed lookup. The lane's tests compare its
// answers on the wire with the pipeline's.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHead } from '../observability/request-head';
import type { RequestRecord } from '../observability/request-record';
import type { Telemetry } from '../observability/telemetry';
import type { InboundBudgets } from '../plugins/rate-limit/inbound-budgets';
import { refusalOf } from '../plugins/edge/refusal-response';
import { claimRequestId, releaseRequestId } from '../plugins/request-id';
import { ANSWER_VARY, cacheControlOf, etagOf, matchesIfNoneMatch, NO_STORE_CACHE_CONTROL } from '../plugins/response-cache/http-cache-headers';
import type { CacheStatus } from '../plugins/response-cache/response-cache';
import { noteLookedUp, type EarlyHit, type EarlyHitLookup } from '../plugins/response-cache/response-cache-early-hit';
import { noteEarlyHit } from '../plugins/observability/telemetry';
import { mergeVary } from '../plugins/edge/vary';

export interface CachedGetLaneOptions {
  /** The GraphQL endpoint path. */
  readonly endpoint: string;
  /** The response cache's early lookup (shared with yoga's). */
  readonly lookup: EarlyHitLookup;
  /** The identity key for the budgets (caller-identity.ts). */
  readonly identify: (request: RequestHead, serverContext: unknown) => Promise<string>;
  /** The inbound budgets; undefined when disabled. */
  readonly budgets: InboundBudgets | undefined;
  /** Log line, metrics and span; undefined when observability is off. */
  readonly telemetry: Telemetry | undefined;
  /** Adds `x-response-cache` (as the cache plugin's `statusHeader`). @default false */
  readonly statusHeader?: boolean;
  readonly isDev: boolean;
  /** `stale-while-revalidate` of a public answer (RESPONSE_CACHE_STALE_WHILE_REVALIDATE). */
  readonly staleWhileRevalidateSeconds: number;
  /** CORS is on: yoga's answers vary by Origin too (plugins/cors.ts), so the lane's say so as well. @default false */
  readonly varyOrigin?: boolean;
}

export interface CachedGetLane {
  /** Cheap, synchronous: could this request be a cached GET (method, path, no Origin)? */
  accepts(req: IncomingMessage): boolean;
  /** Answers the request when its answer is cached (true); false leaves it, untouched, to yoga. Never rejects. */
  serve(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

/** IncomingMessage as a RequestHead (node joins repeated headers with ", " like fetch, and lower-cases names). */
class NodeRequestHead implements RequestHead {
  readonly method = 'GET';
  readonly headers: RequestHead['headers'];
  constructor(
    readonly url: string,
    raw: IncomingHttpHeaders,
  ) {
    this.headers = new NodeHeaders(raw);
  }
}

class NodeHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}
  get(name: string): string | null {
    const value = this.raw[name];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  }
  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }
}

function send(res: ServerResponse, status: number, headers: Record<string, string | number>, body: Buffer | string | undefined): void {
  res.writeHead(status, headers);
  res.end(body);
}

export function createCachedGetLane(options: CachedGetLaneOptions): CachedGetLane {
  const { lookup, identify, budgets, telemetry } = options;
  const prefix = `${options.endpoint}?`;
  const answerVary = options.varyOrigin === true ? mergeVary(ANSWER_VARY, 'Origin') : ANSWER_VARY;
  const refusalVary: Record<string, string> = options.varyOrigin === true ? { vary: 'Origin' } : {};

  function answer(req: IncomingMessage, res: ServerResponse, hit: EarlyHit, rateLimit: Record<string, string>, requestId: string): CacheStatus {
    const etag = etagOf(hit.data, hit.mediaType);
    const notModified = matchesIfNoneMatch(req.headers['if-none-match'], etag);
    const status: CacheStatus = notModified ? 'not-modified' : 'hit';
    // The pipeline's headers for a hit: the cached result's (Last-Modified), ours, the budgets' (not on
    // a public answer, which a shared cache replays to others: http-cache-headers.ts), the id.
    const headers: Record<string, string | number> = {
      ...hit.headers,
      etag,
      'cache-control': cacheControlOf(hit.publicMaxAge, options.staleWhileRevalidateSeconds),
      vary: answerVary,
      ...(hit.publicMaxAge === undefined ? rateLimit : {}),
      'x-request-id': requestId,
    };
    if (options.statusHeader) headers['x-response-cache'] = status;
    if (notModified) {
      send(res, 304, headers, undefined);
    } else {
      headers['content-type'] = `${hit.mediaType}; charset=utf-8`;
      headers['content-length'] = hit.bytes.length;
      send(res, 200, headers, hit.bytes);
    }
    return status;
  }

  return {
    accepts: (req) => req.method === 'GET' && req.url !== undefined && req.url.startsWith(prefix) && req.headers.origin === undefined,

    async serve(req, res) {
      const head = new NodeRequestHead(req.url ?? '', req.headers);
      // The line's duration includes the lookup (a Redis round trip with a shared cache).
      const startedAt = performance.now();
      let hit: EarlyHit | undefined;
      try {
        hit = await lookup(head);
      } catch {
        hit = undefined;
      }
      if (hit === undefined) {
        noteLookedUp(req);
        return false;
      }
      const requestId = claimRequestId(head);
      let record: RequestRecord | undefined;
      try {
        record = telemetry?.beginRequest(head, requestId, startedAt);
        const spent = budgets === undefined ? undefined : await budgets.admit(await identify(head, { req, res }));
        const refusal = spent === undefined ? undefined : budgets?.refusalOf(spent);
        if (refusal !== undefined) {
          const refused = refusalOf(head, refusal, options.isDev);
          const body = Buffer.from(refused.body);
          send(res, refused.status, { ...refused.headers, ...refusalVary, 'cache-control': NO_STORE_CACHE_CONTROL, 'x-request-id': requestId, 'content-length': body.length }, body);
          if (record !== undefined) telemetry?.endRequest(record, refused.status);
          return true;
        }
        const rateLimit = spent === undefined || budgets === undefined ? {} : budgets.headersOf(spent);
        const status = answer(req, res, hit, rateLimit, requestId);
        if (record !== undefined) {
          noteEarlyHit(record, hit, status, 'node');
          telemetry?.endRequest(record, res.statusCode);
        }
        return true;
      } catch {
        // Nothing was sent (send is the last step that can throw): yoga answers, budget already spent.
        return res.headersSent;
      } finally {
        releaseRequestId(head);
      }
    },
  };
}
