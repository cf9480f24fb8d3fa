// useAdmission: a GraphQL request takes a slot of the adaptive admission limit before it parses or
// executes anything, and gives it back with its response (admission-limit.ts says why and how the
// limit moves). Placed after the inbound budgets, so a flood is refused with 429 without queueing,
// and after the response cache's early hit, so a cached answer never waits behind executions.
import { mapAsyncIterator, type Plugin } from 'graphql-yoga';
import { AppError } from '../../errors/app-error';
import { AdmissionRefused, type AdmissionLimit } from './admission-limit';
import { refusalResponse } from '../edge/refusal-response';
import { stateOf } from '../request-state';

export interface AdmissionPluginOptions {
  readonly limit: AdmissionLimit;
  /** The GraphQL endpoint path; probes and metrics are never queued. */
  readonly endpoint: string;
  readonly isDev: boolean;
}

const STREAMED_TYPE = /^(multipart\/mixed|text\/event-stream)\b/i;

export function useAdmission(options: AdmissionPluginOptions): Plugin {
  const { limit } = options;
  const streamed = new WeakSet<Request>();
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== options.endpoint || request.method === 'OPTIONS') return undefined;
      const now = limit.tryAcquire();
      if (now !== undefined) {
        stateOf(request).releaseAdmission = now;
        return undefined;
      }
      return limit.acquire(request.signal).then(
        (release) => void (stateOf(request).releaseAdmission = release),
        (error: unknown) => {
          if (!(error instanceof AdmissionRefused)) throw error;
          stateOf(request).rejectedWith = 'OVERLOADED';
          const refusal = new AppError('OVERLOADED', undefined, { retryAfterSeconds: 1, headers: { 'retry-after': '1' }, meta: { reason: error.reason } });
          endResponse(refusalResponse(request, refusal, options.isDev, fetchAPI));
        },
      );
    },
    // An incremental answer (@defer/@stream) still runs its deferred parts after the response is
    // handed over: its slot is given back when the stream ends (last part, error or client gone).
    onResultProcess({ request, result, setResult }) {
      const state = stateOf(request);
      const release = state.releaseAdmission;
      if (release === undefined || !(Symbol.asyncIterator in result)) return;
      let released = false;
      const releaseOnce = () => {
        if (released) return;
        released = true;
        release();
      };
      state.releaseAdmission = releaseOnce;
      streamed.add(request);
      setResult(
        mapAsyncIterator(
          result as AsyncIterable<unknown>,
          (part) => part,
          (error: unknown) => {
            releaseOnce();
            throw error;
          },
          releaseOnce,
        ) as typeof result,
      );
    },
    onResponse({ request, response }) {
      const state = stateOf(request);
      // A stream that is sent keeps its slot until it ends; one that is not (a 406, an error) frees it now.
      if (streamed.has(request) && STREAMED_TYPE.test(response.headers.get('content-type') ?? '')) return;
      state.releaseAdmission?.();
      state.releaseAdmission = undefined;
    },
    onDispose() {
      limit.close();
    },
  };
}
