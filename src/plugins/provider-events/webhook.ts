// POST /api/webhooks/<provider>: a provider's signed event, turned into an invalidation. In order,
// each step refusing before the next one costs anything: the provider must have a webhook secret
// (else 404, as if the route did not exist), the body must fit WEBHOOK_MAX_BODY_BYTES (413, read no
// further), the signature over the raw bytes must be one of its secrets' and recent (401), the
// envelope `{ id, type, data }` must be well formed (400); an undeclared type is accepted and
// ignored (202, so the provider does not retry it); an id seen before changes nothing (200); the
// replay guard's store failing is a retryable 503 (OVERLOADED, Retry-After); else the declared
// invalidation runs and the answer is 200, or, when the store failed it, the same 503 with the id
// forgotten (the retry does the work). Nothing is invalidated on any refusal.
import type { FetchAPI } from 'graphql-yoga';
import { z } from 'zod';
import { AppError } from '../../errors/app-error';
import type { Logger } from '../../observability/logger';
import { requestIdOf } from '../request-id';
import type { EventMetrics, EventOutcome } from './event-metrics';
import type { Invalidator } from './invalidator';
import { readBoundedBody } from './read-bounded-body';
import type { ReplayGuard } from './replay-guard';
import { okReply, refusedReply } from './replies';
import { SIGNATURE_HEADER, signatureProblemOf } from './signature';

/** One event type a provider declared (src/providers/<name>/events.ts, seen structurally: plugins do not import providers). */
export interface EventDeclaration {
  readonly data: z.ZodType<unknown>;
  invalidates(data: unknown): { readonly entities: readonly { readonly typename: string; readonly id?: string }[]; readonly callers?: readonly string[] };
}

export interface WebhookProvider {
  readonly name: string;
  /** Current secret first, then the previous one during a rotation; empty: no webhook (404). */
  readonly secrets: readonly string[];
  readonly events: Readonly<Record<string, EventDeclaration>>;
}

export interface WebhookOptions {
  readonly providers: readonly WebhookProvider[];
  readonly maxBodyBytes: number;
  readonly toleranceSeconds: number;
  /** Our clock in milliseconds (signature timestamps are checked against it). */
  readonly now: () => number;
  readonly guard: ReplayGuard;
  readonly invalidator: Invalidator;
  readonly metrics: EventMetrics;
  readonly logger: Logger | undefined;
  readonly isDev: boolean;
}

// Ids are keys (Redis, memory) and log fields: short and plain. Types are matched against the declared ones only.
const envelopeSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/),
  type: z.string().min(1).max(64),
  data: z.unknown(),
});

/** Seconds a provider is told to wait (Retry-After) when the shared store (replay guard, invalidation) is unavailable. */
const REPLAY_GUARD_RETRY_SECONDS = 5;

export type WebhookHandler = (request: Request, providerName: string, fetchAPI: FetchAPI) => Promise<Response>;

export function createWebhookHandler(options: WebhookOptions): WebhookHandler {
  const { guard, invalidator, metrics, logger, isDev } = options;
  const providers = new Map(options.providers.filter((p) => p.secrets.length > 0).map((p) => [p.name, p]));

  return async (request, providerName, fetchAPI) => {
    const provider = providers.get(providerName);
    if (provider === undefined) return refusedReply(request, new AppError('BAD_REQUEST', 'Not found.', { status: 'notFound' }), isDev, fetchAPI);
    if (request.method !== 'POST') return refusedReply(request, new AppError('BAD_REQUEST', 'Only POST is allowed.', { status: 'methodNotAllowed' }), isDev, fetchAPI, { allow: 'POST' });
    const requestId = requestIdOf(request);
    const name = provider.name;
    const refuse = (outcome: EventOutcome, type: string, reason: string, error: AppError, extraHeaders?: Record<string, string>): Response => {
      metrics.event(name, type, outcome);
      logger?.warn({ requestId, provider: name, type, reason }, 'provider event refused');
      return refusedReply(request, error, isDev, fetchAPI, extraHeaders);
    };

    const body = await readBoundedBody(request, options.maxBodyBytes);
    if (body === undefined) {
      return refuse('refused_size', 'unknown', 'too_large', new AppError('BAD_REQUEST', 'The event body is too large.', { status: 'payloadTooLarge', extensions: { limit: { max: options.maxBodyBytes } } }));
    }
    const problem = signatureProblemOf({ header: request.headers.get(SIGNATURE_HEADER), body, secrets: provider.secrets, nowMs: options.now(), toleranceSeconds: options.toleranceSeconds });
    if (problem !== undefined) {
      return refuse('refused_signature', 'unknown', `signature_${problem}`, new AppError('UNAUTHENTICATED', 'The event signature is missing, stale or wrong.'), { 'www-authenticate': 'Signature' });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body).toString('utf8'));
    } catch {
      parsed = undefined;
    }
    const envelope = envelopeSchema.safeParse(parsed);
    if (!envelope.success) return refuse('invalid', 'unknown', 'bad_envelope', new AppError('BAD_REQUEST', 'The event must be a JSON object { id, type, data }.'));
    const { id, type } = envelope.data;
    const declared = Object.hasOwn(provider.events, type) ? provider.events[type] : undefined;
    logger?.info({ requestId, provider: name, eventId: id, type: declared === undefined ? 'unknown' : type }, 'provider event received');
    if (declared === undefined) {
      metrics.event(name, 'unknown', 'unknown_type');
      logger?.info({ requestId, provider: name, eventId: id }, 'provider event of an undeclared type ignored');
      return okReply(request, 202, { status: 'ignored' }, fetchAPI);
    }
    const data = declared.data.safeParse(envelope.data.data);
    if (!data.success) return refuse('invalid', type, 'bad_data', new AppError('BAD_REQUEST', `The data of a ${type} event does not match its schema.`));
    let first: boolean;
    try {
      first = await guard.claim(name, id);
    } catch (error) {
      // The replay guard's store (Redis) failed: nothing was done, so a 503 has the provider retry it.
      metrics.event(name, type, 'failed');
      logger?.error({ requestId, provider: name, eventId: id, type, reason: 'replay_guard_unavailable', err: error }, 'provider event failed');
      return refusedReply(request, new AppError('OVERLOADED', 'The event could not be recorded now; retry it.', { retryAfterSeconds: REPLAY_GUARD_RETRY_SECONDS, headers: { 'retry-after': String(REPLAY_GUARD_RETRY_SECONDS) } }), isDev, fetchAPI);
    }
    if (!first) {
      metrics.event(name, type, 'replayed');
      logger?.info({ requestId, provider: name, eventId: id, type }, 'provider event replayed: nothing done');
      return okReply(request, 200, { status: 'replayed' }, fetchAPI);
    }
    try {
      const target = declared.invalidates(data.data);
      const done = await invalidator.invalidate({ entities: target.entities, callers: target.callers ?? [] }, 'webhook', requestId);
      metrics.event(name, type, 'invalidated');
      // Remembered for the whole window only now; if this fails, the short claim still ends and a retry merely invalidates again.
      await guard.confirm(name, id).catch((error: unknown) => logger?.warn({ requestId, provider: name, eventId: id, type, err: error }, 'provider event id not kept for the replay window'));
      return okReply(request, 200, { status: 'invalidated', tags: done.tags }, fetchAPI);
    } catch (error) {
      // Forgotten, so that the provider's retry does the work; 503 + Retry-After is what senders retry on.
      await guard.release(name, id).catch(() => undefined);
      metrics.event(name, type, 'failed');
      logger?.error({ requestId, provider: name, eventId: id, type, reason: 'invalidation_failed', err: error }, 'provider event failed');
      return refusedReply(request, new AppError('OVERLOADED', 'The event could not be processed now; retry it.', { retryAfterSeconds: REPLAY_GUARD_RETRY_SECONDS, headers: { 'retry-after': String(REPLAY_GUARD_RETRY_SECONDS) } }), isDev, fetchAPI);
    }
  };
}
