// The provider events' Prometheus counters, on the gateway's registry. Every label is bounded:
// `provider` is a registered provider's name, `type` a declared event type or `unknown`, `outcome`
// and `source` come from the fixed lists below.
import { Counter, type Registry } from 'prom-client';

export const EVENT_OUTCOMES = ['invalidated', 'replayed', 'unknown_type', 'refused_signature', 'refused_size', 'invalid', 'failed'] as const;
export type EventOutcome = (typeof EVENT_OUTCOMES)[number];

export type InvalidationSource = 'webhook' | 'admin';

export interface EventMetrics {
  event(provider: string, type: string, outcome: EventOutcome): void;
  invalidation(source: InvalidationSource): void;
  purge(outcome: 'ok' | 'failed'): void;
}

export function createEventMetrics(registry: Registry | undefined): EventMetrics {
  if (registry === undefined) return { event: () => undefined, invalidation: () => undefined, purge: () => undefined };
  const registers = [registry];
  const events = new Counter({ name: 'bff_provider_events_total', help: 'Provider webhook deliveries, by provider, declared event type and outcome.', labelNames: ['provider', 'type', 'outcome'], registers });
  const invalidations = new Counter({ name: 'bff_cache_invalidations_total', help: 'Response cache invalidations done, by source (webhook, admin).', labelNames: ['source'], registers });
  const purges = new Counter({ name: 'bff_cache_purge_calls_total', help: 'Calls of the CDN purge hook (CACHE_PURGE_URL), by outcome.', labelNames: ['outcome'], registers });
  return {
    event: (provider, type, outcome) => events.inc({ provider, type, outcome }),
    invalidation: (source) => invalidations.inc({ source }),
    purge: (outcome) => purges.inc({ outcome }),
  };
}
