// AppError: the one error class the gateway throws. It carries a stable code from codes.ts,
// a client-safe message, and `meta` that only logs ever see (hosts, statuses, body excerpts).
import { ERROR_CODES, httpStatusOf, type ErrorCode, type StatusName } from './codes';

export interface AppErrorOptions<C extends ErrorCode = ErrorCode> {
  /** Underlying error; logged, never sent to clients. */
  cause?: unknown;
  /** Details for logs only (upstream status, route, provider host). Never exposed to clients. */
  meta?: Record<string, unknown>;
  /** Client-visible extensions beyond code/requestId (e.g. `cost`, `provider`). */
  extensions?: Record<string, unknown>;
  /** Seconds after which a retry may succeed; sent as `retryAfterSeconds`. */
  retryAfterSeconds?: number;
  /** One of the code's named statuses in codes.ts (e.g. `enforced`: 404 for PERSISTED_QUERY_NOT_FOUND in enforce mode). @default the code's `httpStatus` */
  status?: StatusName<C>;
  /** Response headers to send when this error decides the HTTP response (e.g. Retry-After). */
  headers?: Record<string, string>;
}

const APP_ERROR = Symbol.for('bff.AppError');

export class AppError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly retryAfterSeconds: number | undefined;
  readonly httpStatus: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly [APP_ERROR] = true;

  constructor(code: C, message?: string, options: AppErrorOptions<C> = {}) {
    super(message ?? ERROR_CODES[code].defaultMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.meta = options.meta ?? {};
    this.extensions = options.extensions ?? {};
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.httpStatus = httpStatusOf(code, options.status);
    // Lower-case names: whatwg-node's Headers keeps a mixed-case key from a plain-object init beside
    // the lower-case one a later `set` adds, and sends both (`retry-after: 60, 60` on the wire).
    this.headers = Object.fromEntries(Object.entries(options.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  }

  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }

  // Works across duplicated module copies (Next bundles, vitest workers), like undici's errors.
  // The predicate narrows `instanceof` to AppError<ErrorCode> (a generic class would otherwise narrow to an AppError whose code type is lost).
  static override [Symbol.hasInstance](value: unknown): value is AppError {
    return typeof value === 'object' && value !== null && (value as { [APP_ERROR]?: boolean })[APP_ERROR] === true;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** A provider-scoped failure; the provider name is client-visible, its host never is. */
export function upstreamError(
  code: ErrorCode,
  provider: string,
  options: AppErrorOptions = {},
): AppError {
  return new AppError(code, `${ERROR_CODES[code].defaultMessage.replace('A provider', `Provider "${provider}"`)}`, {
    ...options,
    extensions: { provider, ...options.extensions },
  });
}
