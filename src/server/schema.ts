// The executable schema, built once per process from the generated SDL module and the resolvers.
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { typeDefs } from '../generated/type-defs';
import { resolvers } from '../resolvers';

let schema: GraphQLSchema | undefined;

export function getSchema(): GraphQLSchema {
  schema ??= makeExecutableSchema({ typeDefs, resolvers });
  return schema;
}
