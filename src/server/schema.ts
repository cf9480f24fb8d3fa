// The executable schema, built once per process from the generated SDL module and the resolvers,
// with the authorization directives enforced (a schema naming an unknown scope does not load).
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { enforceAuthRules } from '../auth/enforce-rules';
import { authRulesOrThrow } from '../auth/requirements';
import { typeDefs } from '../generated/type-defs';
import { resolvers } from '../resolvers';

let schema: GraphQLSchema | undefined;

export function getSchema(): GraphQLSchema {
  if (schema === undefined) {
    const built = makeExecutableSchema({ typeDefs, resolvers });
    enforceAuthRules(built, authRulesOrThrow(built));
    schema = built;
  }
  return schema;
}
