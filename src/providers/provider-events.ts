// What a provider's signed webhooks may announce (src/providers/<name>/events.ts): each event type
// with the zod schema of its `data` and what it makes stale, as entities (type + id) and callers
// (whose PRIVATE answers drop). The gateway's webhook (src/plugins/provider-events) finds them
// through the registry; a type not declared here is answered 202 and changes nothing.
import type { z } from 'zod';

/** What one event makes stale. */
export interface EventInvalidation {
  /** Cached answers holding one of these entities drop (`{ typename: 'Product', id }`; no id: every entity of the type). */
  readonly entities: readonly { readonly typename: string; readonly id?: string }[];
  /** JWT subjects (the provider's customer ids) whose PRIVATE answers drop. @default [] */
  readonly callers?: readonly string[];
}

export interface ProviderEventType<Data = unknown> {
  /** The event's `data`, checked before anything is invalidated (400 when it does not match). */
  readonly data: z.ZodType<Data>;
  invalidates(data: Data): EventInvalidation;
}

/** Event types by name (`product.updated`); the names reach metrics labels, so they are few and fixed. */
export type ProviderEventTypes = Readonly<Record<string, ProviderEventType>>;

/** Declares one event type, keeping its data type between the schema and `invalidates`. */
export function eventType<Data>(definition: { readonly data: z.ZodType<Data>; invalidates(data: Data): EventInvalidation }): ProviderEventType {
  // The webhook checks `data` with this schema before it calls `invalidates`.
  return definition as ProviderEventType;
}
