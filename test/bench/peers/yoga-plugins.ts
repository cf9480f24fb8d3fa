// The plugin sets of the Yoga peers, each what a Yoga user would install off the shelf for it:
// - jit: @envelop/graphql-jit (compiled execution, the same executor ours runs persisted operations with)
// - guild: jit + the Guild stack's plugins for the protections ours runs: persisted operations
//   (allowlist, by hash, from the same manifest), graphql-armor (depth, aliases, tokens, directives,
//   cost, field suggestions; ours' limits), a per-caller request budget, Prometheus metrics
// - cache: jit + the response cache (whole answers, shared by every caller; the catalogue GET)
import { readFileSync } from 'node:fs';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { useResponseCache } from '@graphql-yoga/plugin-response-cache';
import type { Plugin, YogaServerOptions } from 'graphql-yoga';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { GatewayConfig } from '../../../src/server/config';
import { MANIFEST_PATH } from '../operations';

import type { PeerContext } from './resolvers';

/** Yoga plugins and plain envelop plugins (graphql-jit, armor) alike. */
export type YogaPlugin = NonNullable<YogaServerOptions<Record<string, unknown>, PeerContext>['plugins']>[number];

export function jitPlugins(): YogaPlugin[] {
  return [useGraphQlJit()];
}

/** id → document of every operation in the client's manifest (the allowlist ours enforces). */
function manifestDocuments(path = MANIFEST_PATH): Map<string, string> {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const operations = typeof parsed === 'object' && parsed !== null && 'operations' in parsed && Array.isArray(parsed.operations) ? (parsed.operations as unknown[]) : [];
  const out = new Map<string, string>();
  for (const op of operations) {
    if (typeof op === 'object' && op !== null && 'id' in op && 'body' in op && typeof op.id === 'string' && typeof op.body === 'string') out.set(op.id, op.body);
  }
  return out;
}

/**
 * Per-caller request budget. The off-the-shelf envelop one (`@envelop/rate-limiter`) limits fields,
 * not requests, and rewrites the document (`visit`) on every execution once any field is limited:
 * a new document object per request, which graphql-jit's per-document cache never finds again, so
 * every request recompiled. In its place, what Yoga's docs leave to the user: a rate-limiter-flexible
 * memory limiter in an onRequest hook, keyed by the caller's Authorization header (not verified:
 * the peers run no JWT check), as high as ours' budget in the bench.
 */
function useCallerBudget(points: number, windowS: number): Plugin | undefined {
  // 0 = no budget, as for ours.
  if (points <= 0) return undefined;
  const limiter = new RateLimiterMemory({ points, duration: windowS });
  return {
    async onRequest({ request, fetchAPI, endResponse }) {
      const caller = request.headers.get('authorization') ?? 'anonymous';
      try {
        await limiter.consume(caller, 1);
      } catch {
        endResponse(new fetchAPI.Response(JSON.stringify({ errors: [{ message: 'Too many requests', extensions: { code: 'RATE_LIMITED' } }] }), { status: 429, headers: { 'content-type': 'application/json', 'retry-after': String(windowS) } }));
      }
    },
  };
}

export function guildPlugins(config: GatewayConfig): YogaPlugin[] {
  const documents = manifestDocuments();
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { limits } = config;
  const budget = useCallerBudget(config.rateLimit.requestsPerWindow, config.rateLimit.windowSeconds);
  return [
    ...(budget ? [budget] : []),
    usePersistedOperations({ getPersistedOperation: (id) => documents.get(id) ?? null, allowArbitraryOperations: false }),
    EnvelopArmorPlugin({
      maxDepth: { n: limits.maxDepth },
      maxAliases: { n: limits.maxAliases },
      maxDirectives: { n: limits.maxDirectives },
      maxTokens: { n: limits.maxTokens },
      // Armor counts cost in its own units (2 per object, 1 per scalar, ×1.5 per level of depth): the
      // order page is ~12,300 there against ~ours' 5,000 limit in ours'. Four times ours' figure admits
      // every operation of the manifest; the rule runs once per document either way (Yoga caches validation).
      costLimit: { maxCost: 4 * limits.maxCost },
    }),
    // What ours records per request (count, duration, errors by code) and the process metrics; the
    // per-phase histograms and the deprecated-field counter (a document walk per request) are off.
    usePrometheus({
      registry,
      endpoint: '/metrics',
      metrics: {
        graphql_envelop_request: true,
        graphql_envelop_request_duration: true,
        graphql_envelop_error_result: true,
        graphql_yoga_http_duration: true,
        graphql_envelop_request_time_summary: false,
        graphql_envelop_phase_parse: false,
        graphql_envelop_phase_validate: false,
        graphql_envelop_phase_context: false,
        graphql_envelop_phase_execute: false,
        graphql_envelop_phase_subscribe: false,
        graphql_envelop_deprecated_field: false,
        graphql_envelop_schema_change: false,
      },
    }),
    useGraphQlJit(),
  ];
}

/** Whole answers cached for every caller (session null), as ours caches the public catalogue. */
export function cachePlugins(): YogaPlugin[] {
  return [useResponseCache({ session: () => null, ttl: 60_000 }), useGraphQlJit()];
}
