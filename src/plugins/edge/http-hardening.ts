// useHttpHardening: what the HTTP edge refuses before any GraphQL work. CSRF prevention for POST (it
// must be JSON, which a browser only sends cross-site after a CORS preflight; GET: csrf-prevention.ts),
// unsupported content types (415), GET parameters that are not JSON (400), and in production no
// introspection and no "Did you mean…" suggestions (they map the schema for an attacker).
import { NoSchemaIntrospectionCustomRule, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { AppError } from '../../errors/app-error';
import { copyGraphQLError } from '../../errors/to-graphql-error';
import type { ScanSteps } from '../../observability/credential-scan';
import type { RequestHead } from '../../observability/request-head';

export interface HttpHardeningOptions {
  /** Development keeps introspection and suggestions (GraphiQL needs them). */
  readonly isDev: boolean;
}

const JSON_TYPES = ['application/json', 'application/graphql+json'];

/** The request's media type (lower case, no parameters), if it has one. */
export function mediaType(request: RequestHead): string | undefined {
  return request.headers.get('content-type')?.split(/[;,]/)[0]?.trim().toLowerCase() || undefined;
}

const SUGGESTION = 'Did you mean ';

/**
 * The message without its ` Did you mean …?` parts, in one pass: messages echo variable values a
 * client wrote, and the pattern `/ ?Did you mean [^?]*\?/g` rescanned to the end from every
 * occurrence that had no `?` after it (quadratic).
 */
export function stripSuggestions(message: string, steps?: ScanSteps): string {
  let out = '';
  let from = 0;
  // Each search starts where the previous one stopped: the spans add up to the message at most twice.
  let visits = 0;
  for (;;) {
    const at = message.indexOf(SUGGESTION, from);
    visits += (at < 0 ? message.length : at) - from + 1;
    if (at < 0) break;
    const end = message.indexOf('?', at + SUGGESTION.length);
    visits += (end < 0 ? message.length : end) - at;
    // No `?` after this one: none after any later one either.
    if (end < 0) break;
    out += message.slice(from, at > from && message.charCodeAt(at - 1) === 32 ? at - 1 : at);
    from = end + 1;
  }
  if (steps) steps.count += visits;
  return from === 0 ? message : (out + message.slice(from)).trim();
}

const hasSuggestion = (message: string): boolean => message.includes(SUGGESTION);

function withoutSuggestion(error: GraphQLError): GraphQLError {
  if (!hasSuggestion(error.message)) return error;
  return copyGraphQLError(error, { message: stripSuggestions(error.message) });
}

export function useHttpHardening(options: HttpHardeningOptions): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      if (request.method === 'POST') {
        const type = mediaType(request);
        if (!type || !JSON_TYPES.includes(type)) {
          throw new AppError('BAD_REQUEST', 'Unsupported content type: send application/json.', { status: 'unsupportedMediaType', headers: { Accept: 'application/json' } });
        }
      } else if (request.method === 'GET') {
        const parse = requestParser;
        if (parse) {
          setRequestParser((req) => {
            try {
              return parse(req);
            } catch (cause) {
              if (cause instanceof SyntaxError) throw new AppError('BAD_REQUEST', 'The variables or extensions parameter is not valid JSON.', { cause });
              throw cause;
            }
          });
        }
      }
    },

    onValidate({ addValidationRule, validateFn, setValidationFn }) {
      if (options.isDev) return;
      addValidationRule(NoSchemaIntrospectionCustomRule);
      setValidationFn((schema, document, rules) => validateFn(schema, document, rules, { hideSuggestions: true }));
    },

    onExecute({ executeFn, setExecuteFn }) {
      if (options.isDev) return undefined;
      // Variable coercion errors ("Did you mean …?" for enum values and input fields). The executor
      // reads `hideSuggestions` for some of them (envelop's ExecutionArgs type predates the option)...
      setExecuteFn((args) => {
        const hidden: typeof args & { hideSuggestions: boolean } = { ...args, hideSuggestions: true };
        return executeFn(hidden);
      });
      // ...but coerceInputValue words its own, so request errors are also cleaned on the way out.
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result || !result.errors?.some((e) => hasSuggestion(e.message))) return;
          setResult({ ...result, errors: result.errors.map(withoutSuggestion) });
        },
      };
    },
  };
}
