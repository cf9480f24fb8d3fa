// A GraphQL provider's schema (introspected, or a recorded SDL file) and the documents the gateway
// sends it: each validated against that schema, every error placed at the field path it is about.
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  GraphQLError,
  parse,
  validate,
  visit,
  type ASTNode,
  type DocumentNode,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import type { Finding } from './contract-drift';

/** The introspection the check sends (descriptions and deprecations are of no use to it). */
export const INTROSPECTION_QUERY = getIntrospectionQuery({ descriptions: false });

/** Characters of a provider's validation message kept in a finding. */
const MESSAGE_CHARS = 300;

/** The provider's schema from its introspection `data`; throws a GraphQLError or TypeError when it is not one. */
export function schemaFromIntrospection(data: unknown): GraphQLSchema {
  if (typeof data !== 'object' || data === null || !('__schema' in data)) throw new TypeError('the introspection answer has no __schema');
  // buildClientSchema checks the shape it walks and throws on what it cannot read.
  return buildClientSchema(data as IntrospectionQuery);
}

/**
 * The provider's schema from a recorded SDL file. Lenient on purpose: a subgraph's SDL names directives
 * (`@key`) it does not define, and only the types and fields matter here.
 */
export function schemaFromSdl(sdl: string): GraphQLSchema {
  return buildSchema(sdl, { assumeValid: true, assumeValidSDL: true });
}

/** Each field node's response path (`users.emailAddress`), by its start offset in the document. */
function fieldPaths(document: DocumentNode): Map<number, string> {
  const paths = new Map<number, string>();
  visit(document, {
    Field(node, _key, _parent, _path, ancestors) {
      const names = [...ancestors, node].flatMap((a) => (!Array.isArray(a) && (a as ASTNode).kind === 'Field' ? [(a as { alias?: { value: string }; name: { value: string } }).alias?.value ?? (a as { name: { value: string } }).name.value] : []));
      if (node.loc) paths.set(node.loc.start, names.join('.'));
    },
  });
  return paths;
}

function documentFinding(error: GraphQLError, paths: ReadonlyMap<number, string>): Finding {
  const start = error.nodes?.[0]?.loc?.start;
  const path = (start === undefined ? undefined : paths.get(start)) ?? '(document)';
  const message = error.message.length > MESSAGE_CHARS ? `${error.message.slice(0, MESSAGE_CHARS)}…` : error.message;
  return { severity: 'drift', kind: 'document', path, expected: "valid against the provider's schema", found: message, count: 1 };
}

/** The document's validation errors against the provider's schema, as drift findings (none when it validates). */
export function documentDrift(schema: GraphQLSchema, document: string): Finding[] {
  let parsed: DocumentNode;
  try {
    parsed = parse(document);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return [{ severity: 'drift', kind: 'document', path: '(document)', expected: 'a document that parses', found: error.message, count: 1 }];
  }
  const paths = fieldPaths(parsed);
  return validate(schema, parsed).map((error) => documentFinding(error, paths));
}
