// useGraphQLOverHttpStatus: request errors get the statuses of the GraphQL-over-HTTP draft. A
// document that fails validation, or variables that do not coerce, answer 422 to clients that accept
// `application/graphql-response+json`, and 200 to legacy `application/json` clients (yoga's `spec`
// flag). Parse errors (400) and data-with-errors (200) are yoga's defaults already.
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ERROR_CODES, isErrorCode, type ErrorCode } from '../../errors/codes';
import { copyGraphQLError } from '../../errors/to-graphql-error';

const SPEC_HTTP = (code: ErrorCode) => ({ spec: true, status: ERROR_CODES[code].httpStatus });

// `keepOriginal: false` for variable errors: their message already quotes the scalar's error, and the
// error contract would otherwise unwrap to that inner error and lose the variable's name and the code.
function withHttp(error: GraphQLError, code: ErrorCode, keepOriginal = true): GraphQLError {
  return copyGraphQLError(error, { keepOriginal, extensions: { ...error.extensions, code, http: SPEC_HTTP(code) } });
}

// graphql-js words every variable coercion error this way (values.ts); nothing else starts so.
const isVariableError = (error: GraphQLError) => error.message.startsWith('Variable "$') && !error.path;

export function useGraphQLOverHttpStatus(): Plugin {
  return {
    onValidate() {
      return ({ valid, result, setResult }) => {
        if (valid) return;
        setResult(
          result.map((e) => {
            const code = e.extensions['code'];
            if (isErrorCode(code) && code !== 'GRAPHQL_VALIDATION_FAILED') return e;
            const http = e.extensions['http'] as { status?: number } | undefined;
            return http?.status === ERROR_CODES.GRAPHQL_VALIDATION_FAILED.httpStatus ? e : withHttp(e, 'GRAPHQL_VALIDATION_FAILED');
          }),
        );
      };
    },

    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          // Only a request error: no `data` at all (execution never started).
          if (Symbol.asyncIterator in result || 'data' in result || !result.errors?.length) return;
          if (!result.errors.every(isVariableError)) return;
          setResult({ ...result, errors: result.errors.map((e) => withHttp(e, 'BAD_USER_INPUT', false)) });
        },
      };
    },
  };
}
