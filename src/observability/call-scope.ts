// The scope of one upstream call: which request it serves and which span is its parent. Telemetry
// runs every provider call inside one (AsyncLocalStorage), so that the http core's events, published
// in the call's async context, find their request; and each gateway only sees its own calls.
import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { RequestRecord } from './request-record';
import { formatTraceparent } from './traceparent';

export interface CallScope {
  readonly record: RequestRecord | undefined;
  readonly parent: Span | undefined;
  /** Status of the call's previous attempt: names the retry that follows (e.g. `502`). */
  lastStatus: number | undefined;
}

/** The part of the http core's CallContext telemetry reads and extends (structural: observability imports no layer). */
export interface CallContextLike {
  readonly requestId: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ScopeSource {
  readonly scope: AsyncLocalStorage<CallScope>;
  recordOf(requestId: string): RequestRecord | undefined;
  tracer(): Tracer | undefined;
}

type AnyRequest = (req: never, ctx: never) => Promise<unknown>;

/**
 * The same client whose `request()` runs in a call scope and, when a span is active, sends
 * `traceparent`. Own properties are copied: the client must not rely on `this` (ours do not).
 */
export function instrumentClient<C extends { request: AnyRequest }>(client: C, source: ScopeSource): C {
  const inner = client.request.bind(client) as (req: unknown, ctx: CallContextLike) => Promise<unknown>;
  const request = (req: unknown, ctx: CallContextLike): Promise<unknown> => {
    const outer = source.scope.getStore();
    const record = outer?.record ?? source.recordOf(ctx.requestId);
    const parent = outer?.parent ?? record?.span;
    const callCtx = parent === undefined ? ctx : { ...ctx, headers: { ...ctx.headers, traceparent: formatTraceparent(parent.spanContext()) } };
    return source.scope.run({ record, parent, lastStatus: undefined }, inner, req, callCtx);
  };
  return { ...client, request };
}

function contextArg(args: readonly unknown[]): CallContextLike | undefined {
  const last = args[args.length - 1];
  return typeof last === 'object' && last !== null && typeof (last as { requestId?: unknown }).requestId === 'string' ? (last as CallContextLike) : undefined;
}

function codeOf(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

/**
 * A provider whose every method (one DataLoader batch, a page, a mutation) is a span, child of the
 * request span; upstream attempts made inside become its children and carry its traceparent.
 */
export function traceMethods<P extends object>(name: string, target: P, source: ScopeSource): P {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(target)) {
    if (typeof value !== 'function') {
      out[key] = value;
      continue;
    }
    const fn = value as (...args: unknown[]) => Promise<unknown>;
    const spanName = `${name}.${key}`;
    out[key] = (...args: unknown[]): Promise<unknown> => {
      const tracer = source.tracer();
      const ctx = contextArg(args);
      const record = ctx === undefined ? undefined : source.recordOf(ctx.requestId);
      if (tracer === undefined || record?.span === undefined) return fn(...args);
      const batch = Array.isArray(args[0]) ? { 'bff.batch.size': args[0].length } : {};
      const span = tracer.startSpan(
        spanName,
        { kind: SpanKind.INTERNAL, attributes: { 'bff.request_id': record.requestId, 'bff.provider': name, ...batch } },
        trace.setSpan(ROOT_CONTEXT, record.span),
      );
      return source.scope.run({ record, parent: span, lastStatus: undefined }, async () => {
        try {
          return await fn(...args);
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: codeOf(error) });
          throw error;
        } finally {
          span.end();
        }
      });
    };
  }
  return out as P;
}
