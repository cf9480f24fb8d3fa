// THE error taxonomy: every code a client can see, with its HTTP status and retry semantics.
// No other file spells a code as a string literal; import `ErrorCode` from here.

export interface ErrorCodeSpec {
  /** HTTP status when this error decides the whole response (request-level). */
  readonly httpStatus: number;
  /** Whether a client may retry the same request unchanged. */
  readonly retryable: boolean;
  /** Stable, short message used when the thrower gives none (and for masked errors). */
  readonly defaultMessage: string;
}

export const ERROR_CODES = {
  BAD_REQUEST: { httpStatus: 400, retryable: false, defaultMessage: 'Bad request.' },
  GRAPHQL_PARSE_FAILED: { httpStatus: 400, retryable: false, defaultMessage: 'The document does not parse.' },
  GRAPHQL_VALIDATION_FAILED: { httpStatus: 422, retryable: false, defaultMessage: 'The document is not valid.' },
  BAD_USER_INPUT: { httpStatus: 422, retryable: false, defaultMessage: 'Invalid input.' },
  PERSISTED_QUERY_NOT_FOUND: { httpStatus: 200, retryable: false, defaultMessage: 'PersistedQueryNotFound' },
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
