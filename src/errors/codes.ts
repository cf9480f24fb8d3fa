// THE error taxonomy: every code a client can see, with its HTTP statuses and retry semantics.
// A code reaches a client only as an `ErrorCode` (an AppError's, or one checked with `isErrorCode`),
// so the compiler holds it to this table; a status the gateway sets for a request error comes only
// from here too: the code's `httpStatus`, or one of its named `statuses`.

export interface ErrorCodeSpec {
  /** HTTP status when this error decides the whole response (request-level). */
  readonly httpStatus: number;
  /**
   * Named uses of the code that answer with a more precise HTTP status. The code is the client's
   * contract (what it acts on) and stays; the status is what HTTP intermediaries and tools act on.
   */
  readonly statuses?: Readonly<Record<string, number>>;
  /** Whether a client may retry the same request unchanged. */
  readonly retryable: boolean;
  /** Stable, short message used when the thrower gives none (and for masked errors). */
  readonly defaultMessage: string;
}

export const ERROR_CODES = {
  BAD_REQUEST: {
    httpStatus: 400,
    statuses: {
      /** A path other than the gateway's own (exact-endpoint.ts). */
      notFound: 404,
      /** A mutation over GET (`Allow: POST`), as yoga answers it. */
      methodNotAllowed: 405,
      /** A body, document or batch over its limit (LIMIT_BODY_BYTES, LIMIT_DOCUMENT_BYTES; yoga's batch limit answers the same). */
      payloadTooLarge: 413,
      /** A POST that is not JSON (`Accept: application/json`). */
      unsupportedMediaType: 415,
      /** An operation with @defer/@stream whose Accept names no incremental format we serve (incremental-accept.ts). */
      notAcceptable: 406,
    },
    retryable: false,
    defaultMessage: 'Bad request.',
  },
  GRAPHQL_PARSE_FAILED: { httpStatus: 400, retryable: false, defaultMessage: 'The document does not parse.' },
  GRAPHQL_VALIDATION_FAILED: { httpStatus: 422, retryable: false, defaultMessage: 'The document is not valid.' },
  BAD_USER_INPUT: {
    httpStatus: 422,
    // Every root field refused its input (an id, a page size, a cursor): the request as a whole was bad.
    statuses: { nothingResolved: 400 },
    retryable: false,
    defaultMessage: 'Invalid input.',
  },
  // 200 by default: APQ clients read the error from a 200 and then send the document.
  PERSISTED_QUERY_NOT_FOUND: { httpStatus: 200, statuses: { enforced: 404 }, retryable: false, defaultMessage: 'PersistedQueryNotFound' },
  PERSISTED_QUERY_ONLY: { httpStatus: 403, retryable: false, defaultMessage: 'Only persisted operations are allowed.' },
  PERSISTED_QUERY_HASH_MISMATCH: { httpStatus: 400, retryable: false, defaultMessage: 'The hash does not match the document.' },
  MAX_DEPTH_LIMIT: { httpStatus: 400, retryable: false, defaultMessage: 'The operation is too deep.' },
  MAX_ALIASES_LIMIT: { httpStatus: 400, retryable: false, defaultMessage: 'The operation has too many aliases.' },
  MAX_ROOT_FIELDS_LIMIT: { httpStatus: 400, retryable: false, defaultMessage: 'The operation has too many root fields.' },
  MAX_TOKENS_LIMIT: { httpStatus: 400, retryable: false, defaultMessage: 'The document has too many tokens.' },
  MAX_DIRECTIVES_LIMIT: { httpStatus: 400, retryable: false, defaultMessage: 'The operation has too many directives.' },
  COST_ESTIMATED_TOO_EXPENSIVE: { httpStatus: 400, retryable: false, defaultMessage: 'The operation is too expensive.' },
  UNAUTHENTICATED: { httpStatus: 401, retryable: false, defaultMessage: 'Authentication is required.' },
  FORBIDDEN: { httpStatus: 403, retryable: false, defaultMessage: 'Not allowed.' },
  NOT_FOUND: { httpStatus: 200, retryable: false, defaultMessage: 'Not found.' },
  RATE_LIMITED: { httpStatus: 429, retryable: true, defaultMessage: 'Too many requests.' },
  OVERLOADED: { httpStatus: 503, retryable: true, defaultMessage: 'The gateway is busy; retry shortly.' },
  IDEMPOTENCY_KEY_REUSED: { httpStatus: 409, retryable: false, defaultMessage: 'The idempotency key was already used with a different payload.' },
  UPSTREAM_TIMEOUT: { httpStatus: 504, retryable: true, defaultMessage: 'A provider did not answer in time.' },
  UPSTREAM_UNAVAILABLE: { httpStatus: 503, retryable: true, defaultMessage: 'A provider is unavailable.' },
  UPSTREAM_RATE_LIMITED: { httpStatus: 503, retryable: true, defaultMessage: 'A provider is rate limiting us.' },
  UPSTREAM_BAD_RESPONSE: { httpStatus: 502, retryable: false, defaultMessage: 'A provider sent an invalid answer.' },
  UPSTREAM_AUTH_FAILED: { httpStatus: 502, retryable: false, defaultMessage: 'A provider refused our credentials.' },
  INTERNAL_SERVER_ERROR: { httpStatus: 500, retryable: true, defaultMessage: 'Unexpected error.' },
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The names of a code's other statuses (`never` for a code that has none). */
export type StatusName<C extends ErrorCode> = (typeof ERROR_CODES)[C] extends { readonly statuses: infer S } ? keyof S & string : never;

/** The HTTP status of a code, or of one of its named uses. */
export function httpStatusOf<C extends ErrorCode>(code: C, status?: StatusName<C>): number {
  const spec: ErrorCodeSpec = ERROR_CODES[code];
  return status === undefined ? spec.httpStatus : (spec.statuses?.[status] ?? spec.httpStatus);
}

export const ErrorCode = Object.freeze(
  Object.fromEntries(Object.keys(ERROR_CODES).map((code) => [code, code])) as { [K in ErrorCode]: K },
);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** Codes that describe a provider failure: field-level in a partial response. */
export const UPSTREAM_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_RATE_LIMITED',
  'UPSTREAM_BAD_RESPONSE',
  'UPSTREAM_AUTH_FAILED',
]);
