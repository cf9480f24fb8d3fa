// useExactEndpoint: yoga matches its endpoint loosely (any path ending in it, with or without a
// trailing slash). Every later plugin (rate limit, telemetry) keys on the exact path, so anything
// else is refused here first: otherwise `/x/api/graphql` would be served without a budget or a log line.
import type { Plugin } from 'graphql-yoga';
import { AppError } from '../../errors/app-error';
import { refusalResponse } from './refusal-response';

export function useExactEndpoint(allowed: readonly string[], isDev: boolean): Plugin {
  const paths = new Set(allowed);
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (paths.has(url.pathname)) return;
      endResponse(refusalResponse(request, new AppError('BAD_REQUEST', 'Not found.', { status: 'notFound' }), isDev, fetchAPI));
    },
  };
}
