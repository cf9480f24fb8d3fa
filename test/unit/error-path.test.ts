// The one error path (src/errors): statuses come from the table by name, and a GraphQLError is changed
// only by copying it in place. Also the per-request state the plugins share (src/plugins/request-state.ts).
import { GraphQLError, parse, Source } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors/app-error';
import { httpStatusOf } from '../../src/errors/codes';
import { copyGraphQLError, toGraphQLError } from '../../src/errors/to-graphql-error';
import { stateOf } from '../../src/plugins/request-state';

describe('statuses from the table', () => {
  it('gives a code its status, or one of its named statuses', () => {
    expect(httpStatusOf('BAD_REQUEST')).toBe(400);
    expect(httpStatusOf('BAD_REQUEST', 'payloadTooLarge')).toBe(413);
    expect(httpStatusOf('PERSISTED_QUERY_NOT_FOUND', 'enforced')).toBe(404);
    expect(httpStatusOf('BAD_USER_INPUT', 'nothingResolved')).toBe(400);
    // @ts-expect-error a name another code has is not this code's
    expect(httpStatusOf('RATE_LIMITED', 'payloadTooLarge')).toBe(429);
  });

  it('keeps the code when an AppError names a status, and sends that status', () => {
    const error = new AppError('BAD_REQUEST', 'Unsupported content type.', { status: 'unsupportedMediaType' });
    expect([error.code, error.httpStatus]).toEqual(['BAD_REQUEST', 415]);
    // @ts-expect-error a code without named statuses takes none
    void new AppError('FORBIDDEN', undefined, { status: 'notFound' });
    const mapped = toGraphQLError(error, { isDev: false });
    expect(mapped.extensions).toMatchObject({ code: 'BAD_REQUEST', http: { status: 415 } });
  });
});

describe('copyGraphQLError', () => {
  const source = new Source('{ a b }');
  const document = parse(source);
  const original = new Error('cause');
  const error = new GraphQLError('Field "c" Did you mean "a"?', { nodes: document.definitions, path: ['x', 0], originalError: original, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });

  it('keeps place and original, changes what it is told', () => {
    const copy = copyGraphQLError(error, { message: 'Field "c".', extensions: { ...error.extensions, requestId: 'r-1' } });
    expect(copy).not.toBe(error);
    expect([copy.message, copy.path, copy.positions, copy.source, copy.nodes, copy.originalError]).toEqual(['Field "c".', error.path, error.positions, source, error.nodes, original]);
    expect(copy.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', requestId: 'r-1' });
  });

  it('drops the original error when asked, and keeps message and extensions by default', () => {
    const copy = copyGraphQLError(error, { keepOriginal: false });
    expect([copy.message, copy.extensions, copy.originalError]).toEqual([error.message, error.extensions, undefined]);
  });
});

describe('stateOf', () => {
  it('is one state per request object, made on first use', () => {
    const a = new Request('http://gateway/api/graphql');
    const b = new Request('http://gateway/api/graphql');
    const state = stateOf(a);
    expect(state.requestId).toBeUndefined();
    state.cost = 3;
    expect(stateOf(a)).toBe(state);
    expect(stateOf(b)).not.toBe(state);
    expect(stateOf(b).cost).toBeUndefined();
  });
});
