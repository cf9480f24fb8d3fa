// useIncrementalDelivery: `@defer` and `@stream` through @graphql-yoga/plugin-defer-stream (its
// validation rules; the directives are declared in schema/base.graphql), and a 406 before any work for
// an operation that uses them when the client accepts no incremental format we serve
// (incremental-accept.ts): yoga alone would run the operation and then answer an empty 406.
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { processRegularResult, type Plugin, type YogaInitialContext } from 'graphql-yoga';
import { AppError } from '../../errors/app-error';
import { acceptsServedIncrementalFormat, SERVED_INCREMENTAL_ACCEPT } from './incremental-accept';
import { usesIncrementalDelivery } from './incremental-document';

export function useIncrementalDelivery(): Plugin {
  // Requests refused here: their error goes out as JSON, not in the multipart/mixed they asked for.
  const refused = new WeakSet<Request>();
  return {
    onPluginInit({ addPlugin }) {
      // Typed for a context with an index signature, which yoga's initial context lacks: the hooks used do not read it.
      const deferStream = useDeferStream<YogaInitialContext & Record<string, unknown>>() as Plugin;
      const addRules = deferStream.onValidate;
      // Its validation rules (its own overlapping-fields rule in place of graphql-js's, and three for the
      // directives) only matter to a document that uses them: every other request skips the per-request
      // rule rewrite, and keeps graphql-js's rules.
      addPlugin({
        ...deferStream,
        ...(addRules === undefined ? {} : { onValidate: (payload) => (usesIncrementalDelivery(payload.params.documentAST) ? addRules(payload) : undefined) }),
      });
    },
    onValidate({ params: { documentAST }, context }) {
      const request = (context as { request?: Request }).request;
      if (request === undefined || !usesIncrementalDelivery(documentAST)) return;
      if (acceptsServedIncrementalFormat(request.headers.get('accept'))) return;
      refused.add(request);
      throw new AppError('BAD_REQUEST', 'This operation uses @defer or @stream: accept multipart/mixed;deferSpec=20220824 or text/event-stream.', {
        status: 'notAcceptable',
        headers: { accept: SERVED_INCREMENTAL_ACCEPT },
      });
    },
    onResultProcess({ request, setResultProcessor }) {
      if (!refused.has(request)) return;
      const graphqlResponse = (request.headers.get('accept') ?? '').includes('application/graphql-response+json');
      setResultProcessor(processRegularResult, graphqlResponse ? 'application/graphql-response+json' : 'application/json');
    },
  };
}
