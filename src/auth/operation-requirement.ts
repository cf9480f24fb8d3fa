// What a caller needs to read every field a document selects (ops:check prints it): the guarded
// fields' requirements, all at once. @skip/@include are ignored: a field that may run counts.
import { isAbstractType, isObjectType, type DocumentNode, type GraphQLSchema } from 'graphql';
import { allOf, type AuthRequirement, type AuthRules } from './requirements';
import { forEachSelectedField } from './selected-fields';

/** Undefined when the document selects no guarded field. */
export function requirementOfDocument(schema: GraphQLSchema, document: DocumentNode, rules: AuthRules): AuthRequirement | undefined {
  let requirement: AuthRequirement | undefined;
  forEachSelectedField(schema, document, ({ node, parent }) => {
    if (!parent) return;
    // On an interface or union, the field may run on any possible type: each one's rule counts.
    const owners = isAbstractType(parent) ? schema.getPossibleTypes(parent) : isObjectType(parent) ? [parent] : [];
    for (const owner of owners) requirement = allOf(requirement, rules.fields.get(`${owner.name}.${node.name.value}`));
  });
  return requirement;
}
