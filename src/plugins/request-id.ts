// useRequestId: every request gets an id (the client's `x-request-id` when it is sane, else a new
// UUID), echoed in the response header; context, logs and upstream calls read it from here.
import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

const HEADER = 'x-request-id';
// Sane: short, printable, no separators that could forge log lines or headers.
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const ids = new WeakMap<Request, string>();

/** The id of a request seen by `useRequestId` (a new one if the plugin has not seen it). */
export function requestIdOf(request: Request): string {
  let id = ids.get(request);
  if (!id) {
    const incoming = request.headers.get(HEADER);
    id = incoming && SANE_ID.test(incoming) ? incoming : randomUUID();
    ids.set(request, id);
  }
  return id;
}

export function useRequestId(): Plugin {
  return {
    onRequest({ request }) {
      requestIdOf(request);
    },
    onResponse({ request, response }) {
      response.headers.set(HEADER, requestIdOf(request));
    },
  };
}
