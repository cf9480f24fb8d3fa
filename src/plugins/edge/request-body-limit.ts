// useRequestBodyLimit: yoga's request body limit, without its cost on every request. Yoga pipes
// every body through a counting TransformStream (a stream pipeline, an AbortController and a
// DOMException per POST: 4% of the order page's CPU). A body with a valid Content-Length needs no
// counting: node's HTTP parser reads exactly that many bytes, so the header check suffices. Only a
// body without one (chunked) is counted while it streams. Same statuses as yoga's (400 for a bad
// Content-Length, 413 over the limit), with the contract's code (BAD_REQUEST); yoga's own check is
// switched off (maxRequestBodySize: false).
// Placed after the request parsers are registered, so it wraps whichever one is selected.
import type { GraphQLError } from 'graphql';
import type { FetchAPI, Plugin } from 'graphql-yoga';
import { AppError } from '../../errors/app-error';
import { toGraphQLError } from '../../errors/to-graphql-error';

const CONTENT_LENGTH = /^\d+$/;

// Already a GraphQLError: yoga's JSON parser passes those on, and reports any other stream error as invalid JSON.
function tooLarge(): GraphQLError {
  return toGraphQLError(new AppError('BAD_REQUEST', 'Request body too large', { status: 'payloadTooLarge' }), { isDev: false });
}

function countedWhileStreaming(request: Request, limit: number, fetchAPI: FetchAPI): Request {
  const body = request.body;
  if (!body) return request;
  // A native stream needs the native TransformStream (graphql-hive/graphql-yoga#4583).
  const Transform = body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
  let bytes = 0;
  const limited = body.pipeThrough(
    new Transform<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.byteLength;
        if (bytes > limit) controller.error(tooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
  const init: RequestInit & { duplex: 'half' } = { method: request.method, headers: request.headers, signal: request.signal, body: limited, duplex: 'half' };
  return new fetchAPI.Request(request.url, init);
}

export function useRequestBodyLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const contentLength = request.headers.get('content-length');
      if (contentLength !== null) {
        if (!CONTENT_LENGTH.test(contentLength)) {
          throw new AppError('BAD_REQUEST', 'Content-Length header is invalid.');
        }
        if (Number(contentLength) > limit) throw tooLarge();
        return;
      }
      if (requestParser === undefined || request.body === null) return;
      const parse = requestParser;
      setRequestParser((req) => parse(countedWhileStreaming(req, limit, fetchAPI)));
    },
  };
}
