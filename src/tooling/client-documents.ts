// The client package's persisted documents (clients/typescript/src/generated/persisted-documents.json,
// written by `npm run codegen` with GraphQL Code Generator's client preset) against the manifest: the
// same ids for the same bodies, none missing, none extra. A client id the manifest lacks is refused by
// the allowlist in production, so `npm run codegen` fails here rather than a client at run time.
import { parseManifestText } from '../operations/manifest';

/** What differs between the manifest and the client package's `{ id: body }` map; empty when they agree. */
export function clientDocumentsProblems(manifestText: string, manifestSource: string, documentsText: string, documentsSource: string): string[] {
  const operations = parseManifestText(manifestText, manifestSource).operations;
  let documents: Record<string, unknown>;
  try {
    documents = JSON.parse(documentsText) as Record<string, unknown>;
  } catch {
    return [`${documentsSource}: not valid JSON`];
  }
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const { id, name, body } of operations) {
    ids.add(id);
    if (!(id in documents)) problems.push(`${documentsSource}: operation "${name}" (${id}) of ${manifestSource} is missing`);
    else if (documents[id] !== body) problems.push(`${documentsSource}: ${id} ("${name}") holds another body than ${manifestSource}`);
  }
  for (const id of Object.keys(documents)) {
    if (!ids.has(id)) problems.push(`${documentsSource}: ${id} is not in ${manifestSource} (the allowlist would refuse it)`);
  }
  return problems;
}
