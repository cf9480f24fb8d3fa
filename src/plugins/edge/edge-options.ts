// The edge settings that are yoga options rather than plugins (request body size, batching,
// multipart), read from config once, when yoga is built.
import type { LimitsConfig } from '../../config';

export interface EdgeYogaOptions {
  /** Off: useRequestBodyLimit enforces the limit (413) more cheaply. */
  readonly maxRequestBodySize: false;
  /** Batched requests: up to `limit` operations, 413 beyond; false refuses any batch (400). */
  readonly batching: { readonly limit: number } | false;
  /** No file uploads: one fewer parser, and multipart is a CORS "simple" content type (CSRF). */
  readonly multipart: false;
}

export function edgeYogaOptions(limits: Pick<LimitsConfig, 'maxBatchOperations'>): EdgeYogaOptions {
  return {
    maxRequestBodySize: false,
    batching: limits.maxBatchOperations > 0 ? { limit: limits.maxBatchOperations } : false,
    multipart: false,
  };
}
