// The resolvers' lookahead (src/resolvers/lookahead/): the references selected under a list are
// loaded for the whole list, level by level, before graphql executes the list's items, and the items
// then answer from what was loaded. What it must never do: load a field a directive may skip, or a
// field guarded by an authorization rule the caller does not pass.
import { makeExecutableSchema } from '@graphql-tools/schema';
import { execute, parse, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { enforceAuthRules } from '../../src/auth/enforce-rules';
import { authRulesOrThrow } from '../../src/auth/requirements';
import { AppError } from '../../src/errors/app-error';
import { BatchLoader, type Loadable } from '../../src/providers/batch-loader';
import { indexResolvers } from '../../src/resolvers/lookahead/plan';
import { lookahead } from '../../src/resolvers/lookahead/prefetch';
import { referenceField } from '../../src/resolvers/lookahead/reference';
import type { GraphQLContext } from '../../src/server/context';

// Type names of their own: the planner's index of resolvers is per process.
const typeDefs = /* GraphQL */ `
  directive @authenticated on FIELD_DEFINITION | OBJECT
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT
  type Query {
    laShelf: LaShelf
  }
  type LaShelf {
    books: [LaBook!]!
  }
  type LaBook {
    id: ID!
    author: LaAuthor
    editor: LaAuthor @requiresScopes(scopes: [["users:pii"]])
  }
  type LaAuthor {
    id: ID!
    name: String!
    agent: LaAuthor
  }
`;

interface BookModel {
  readonly id: string;
  readonly authorId: string;
  readonly editorId: string;
}
interface AuthorModel {
  readonly id: string;
  readonly name: string;
  readonly agentId: string;
}

/** Counts DataLoader `load` calls: a field resolved from the lookahead does not make one. */
class CountingLoader<V extends Loadable> extends BatchLoader<V> {
  loads = 0;
  override load(key: string): Promise<V> {
    this.loads += 1;
    return super.load(key);
  }
}

interface World {
  readonly ctx: {
    readonly caller: { readonly id: string; readonly scopes: readonly string[] } | null;
    readonly call: { readonly requestId: string; readonly deadlineAt: number };
    readonly authors: CountingLoader<AuthorModel>;
  };
  readonly batches: string[][];
}

function world(scopes: readonly string[]): World {
  const batches: string[][] = [];
  const authors = new CountingLoader<AuthorModel>(
    (ids) => {
      batches.push([...ids]);
      return Promise.resolve(ids.map((id) => ({ id, name: `name-${id}`, agentId: `agent-of-${id}` })));
    },
    { maxBatchSize: 100, name: 'la.authors' },
  );
  return { ctx: { caller: { id: 'user-1', scopes }, call: { requestId: 'lookahead-test', deadlineAt: Number.MAX_SAFE_INTEGER }, authors }, batches };
}

const authorsOf = (ctx: GraphQLContext) => (ctx as unknown as World['ctx']).authors;
const books: BookModel[] = [1, 2, 3].map((n) => ({ id: `book-${n}`, authorId: `author-${n % 2}`, editorId: `editor-${n}` }));

const resolvers = {
  Query: { laShelf: lookahead(() => ({ books })) },
  LaBook: {
    author: referenceField({ key: (book: BookModel) => book.authorId, loader: authorsOf }),
    editor: referenceField({ key: (book: BookModel) => book.editorId, loader: authorsOf }),
  },
  LaAuthor: { agent: referenceField({ key: (author: AuthorModel) => author.agentId, loader: authorsOf }) },
};
indexResolvers([resolvers]);

function schemaOf(): GraphQLSchema {
  const schema = makeExecutableSchema({ typeDefs, resolvers });
  enforceAuthRules(schema, authRulesOrThrow(schema));
  return schema;
}

async function run(query: string, w: World) {
  return execute({ schema: schemaOf(), document: parse(query), contextValue: w.ctx });
}

describe('lookahead', () => {
  it('loads the references under a list in one batch per level before the items run, which then make no load', async () => {
    const w = world([]);
    const result = await run('{ laShelf { books { id author { name agent { name } } } } }', w);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      laShelf: {
        books: books.map((b) => ({ id: b.id, author: { name: `name-${b.authorId}`, agent: { name: `name-agent-of-${b.authorId}` } } })),
      },
    });
    expect(w.batches).toEqual([
      ['author-1', 'author-0'],
      ['agent-of-author-1', 'agent-of-author-0'],
    ]);
    expect(w.ctx.authors.loads).toBe(0);
  });

  it('leaves a field with a directive to execution (it may be skipped): loaded by its own resolver, only when included', async () => {
    const skipped = world([]);
    const none = await run('{ laShelf { books { author @skip(if: true) { name } } } }', skipped);
    expect(none.errors).toBeUndefined();
    expect(skipped.batches).toEqual([]);

    const included = world([]);
    const some = await run('{ laShelf { books { author @include(if: true) { name } } } }', included);
    expect(some.errors).toBeUndefined();
    expect(included.batches).toEqual([['author-1', 'author-0']]);
    expect(included.ctx.authors.loads).toBe(3);
  });

  it('batches a reference it could not look ahead once per level, not once per item (under @include)', async () => {
    const w = world([]);
    const result = await run('{ laShelf { books { author @include(if: true) { agent { name } } } } }', w);
    expect(result.errors).toBeUndefined();
    expect(w.batches).toEqual([['author-1', 'author-0'], ['agent-of-author-1', 'agent-of-author-0']]);
  });

  it('sends the lookaheads of two root fields of one tick in one batch', async () => {
    const w = world([]);
    const result = await run('{ a: laShelf { books { author { name } } } b: laShelf { books { author { id } } } }', w);
    expect(result.errors).toBeUndefined();
    expect(w.batches).toEqual([['author-1', 'author-0']]);
    expect(w.ctx.authors.loads).toBe(0);
  });

  it('reads a fragment spread many times once: the plan stays small and still covers the page', async () => {
    const w = world([]);
    const spreads = (name: string) => Array.from({ length: 200 }, () => `...${name}`).join(' ');
    const query = `
      { laShelf { ${spreads('ShelfBooks')} } }
      fragment ShelfBooks on LaShelf { books { ${spreads('BookAuthor')} } }
      fragment BookAuthor on LaBook { author { ${spreads('AuthorAgent')} } }
      fragment AuthorAgent on LaAuthor { name agent { name } }`;
    const result = await run(query, w);
    expect(result.errors).toBeUndefined();
    expect(w.batches).toEqual([['author-1', 'author-0'], ['agent-of-author-1', 'agent-of-author-0']]);
    expect(w.ctx.authors.loads).toBe(0);
  });

  it('never loads a field guarded by a rule the caller does not pass', async () => {
    const w = world([]);
    const result = await run('{ laShelf { books { id editor { name } } } }', w);
    expect(w.batches).toEqual([]);
    // graphql-js alone: the contract's mapping (error-contract.ts) is not in this test, the AppError is.
    expect(result.errors?.map((e) => (e.originalError instanceof AppError ? e.originalError.code : e.message))).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
  });

  it('loads a guarded field through its own resolver once the rule passes', async () => {
    const w = world(['users:pii']);
    const result = await run('{ laShelf { books { editor { name } } } }', w);
    expect(result.errors).toBeUndefined();
    expect(w.batches).toEqual([['editor-1', 'editor-2', 'editor-3']]);
    expect(w.ctx.authors.loads).toBe(3);
  });
});
