// One invalidation, whoever asked (a provider's event, the admin API): drop the cached answers that
// hold the entities, those of the operations, and every PRIVATE answer of the callers, then call the
// purge hook with the matching CDN tags. The store is the one every reader uses (the pipeline, the
// early hit, the node lane), so what is dropped here is gone for all of them; with Redis it is gone
// for every instance on the same key prefix (the only copy is Redis': no instance keeps one).
import type { Logger } from '../../observability/logger';
import type { GatewayCache } from '../response-cache/response-cache-store';
import { OPERATION_ENTITY, overflowTagOf, tagOf } from './cache-tags';
import type { EventMetrics, InvalidationSource } from './event-metrics';
import type { PurgeHook } from './purge-hook';

export interface InvalidationTarget {
  /** `{ typename, id }` drops the answers holding that entity; without id, every answer holding the type. */
  readonly entities: readonly { readonly typename: string; readonly id?: string | undefined }[];
  /** Operation names whose answers drop. @default [] */
  readonly operations?: readonly string[];
  /** JWT subjects whose PRIVATE answers drop. @default [] */
  readonly callers?: readonly string[];
}

export interface InvalidationDone {
  /** The CDN tags handed to the purge hook (none for caller-only invalidations: private answers are not in CDNs). */
  readonly tags: readonly string[];
}

export interface Invalidator {
  invalidate(target: InvalidationTarget, source: InvalidationSource, requestId: string): Promise<InvalidationDone>;
  /** Settles once every purge call started so far has (tests and shutdown). */
  settled(): Promise<void>;
}

export interface InvalidatorOptions {
  readonly cache: GatewayCache;
  readonly metrics: EventMetrics;
  readonly logger: Logger | undefined;
  readonly purge?: PurgeHook | undefined;
}

export function createInvalidator(options: InvalidatorOptions): Invalidator {
  const { cache, metrics, logger, purge } = options;
  const purges = new Set<Promise<void>>();

  function callPurge(tags: readonly string[], requestId: string): void {
    if (purge === undefined || tags.length === 0) return;
    const call = purge(tags).then(
      (status) => {
        const ok = status >= 200 && status < 300;
        metrics.purge(ok ? 'ok' : 'failed');
        if (!ok) logger?.warn({ requestId, status, tags: tags.length }, 'cache purge hook refused');
      },
      (error: unknown) => {
        metrics.purge('failed');
        logger?.warn({ requestId, err: error, tags: tags.length }, 'cache purge hook failed');
      },
    );
    const tracked = call.finally(() => purges.delete(tracked));
    purges.add(tracked);
  }

  return {
    async invalidate(target, source, requestId) {
      const operations = target.operations ?? [];
      const callers = target.callers ?? [];
      const entities = [...target.entities.map(({ typename, id }) => (id === undefined ? { typename } : { typename, id })), ...operations.map((id) => ({ typename: OPERATION_ENTITY, id }))];
      // Rejects when the store failed (nothing counted, no purge): the webhook and the admin API answer 503 and the sender retries.
      await cache.drop({ entities, callers });
      metrics.invalidation(source);
      // An entity's purge names its type's overflow tag too: the answers whose entity tags were left out for length carry it instead (cache-tags.ts).
      const tags = [...new Set(entities.flatMap(({ typename, id }) => [tagOf(typename, id), id === undefined ? undefined : overflowTagOf(typename)].filter((tag) => tag !== undefined)))];
      logger?.info({ requestId, source, entities: entities.length, callers: callers.length, tags: tags.slice(0, 20) }, 'cache invalidated');
      callPurge(tags, requestId);
      return { tags };
    },
    async settled() {
      await Promise.all(purges);
    },
  };
}
