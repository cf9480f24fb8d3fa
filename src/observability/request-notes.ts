import type { RequestHead } from './request-head';

// noteRequest: how a plugin that answers before the GraphQL pipeline runs (no result, so no error
// for telemetry to read) tells the request's log line and metrics why. Keyed by the Request object.

export interface RequestNotes {
  /** The code of a refusal answered from onRequest, e.g. `RATE_LIMITED`. */
  rejectedWith?: string;
  /** Which inbound budget refused it (`requests`, `burst`, `cost`). */
  budget?: string;
}

const notes = new WeakMap<RequestHead, RequestNotes>();

export function noteRequest(request: RequestHead, facts: RequestNotes): void {
  const existing = notes.get(request);
  if (existing) Object.assign(existing, facts);
  else notes.set(request, { ...facts });
}

export function notesOf(request: RequestHead): RequestNotes | undefined {
  return notes.get(request);
}
