// useRequestId: every request gets an id (the client's `x-request-id` when it is sane and not
// already in flight, else a new UUID), echoed in the response header; context, logs, traces and
// upstream calls read it from here.
import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { RequestHead } from '../observability/request-head';
import { stateOf } from './request-state';

const HEADER = 'x-request-id';
// Sane: short, printable, no separators that could forge log lines or headers.
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// Bounds the in-flight set should responses ever go missing (it is cleared, not grown, past this).
const MAX_IN_FLIGHT = 100_000;

// Ids of requests between onRequest and onResponse. Observers attribute upstream calls by request
// id, so two requests in flight must never share one: a client reusing an id gets a fresh one.
const inFlight = new Set<string>();

/** The id of a request seen by `useRequestId` (a new one if the plugin has not seen it). */
export function requestIdOf(request: RequestHead): string {
  const state = stateOf(request);
  let id = state.requestId;
  if (!id) {
    const incoming = request.headers.get(HEADER);
    id = incoming && SANE_ID.test(incoming) && !inFlight.has(incoming) ? incoming : randomUUID();
    state.requestId = id;
  }
  return id;
}

/** Marks a request's id as in flight (until `releaseRequestId`): a client reusing it meanwhile gets a fresh one. */
export function claimRequestId(request: RequestHead): string {
  if (inFlight.size >= MAX_IN_FLIGHT) inFlight.clear();
  const id = requestIdOf(request);
  inFlight.add(id);
  return id;
}

export function releaseRequestId(request: RequestHead): string {
  const id = requestIdOf(request);
  inFlight.delete(id);
  return id;
}

export function useRequestId(): Plugin {
  return {
    onRequest({ request }) {
      claimRequestId(request);
    },
    onResponse({ request, response }) {
      response.headers.set(HEADER, releaseRequestId(request));
    },
  };
}
