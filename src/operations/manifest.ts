// The persisted query manifest in Apollo's format: its shape, the id of a body (sha256 hex), and the
// load-time check that every entry's id is the hash of its body, so a tampered file cannot start.
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const MANIFEST_FORMAT = 'apollo-persisted-query-manifest';

export type OperationType = 'query' | 'mutation' | 'subscription';

export interface ManifestOperation {
  /** sha256 hex of `body`. */
  readonly id: string;
  readonly name: string;
  readonly type: OperationType;
  /** The operation and every fragment it uses, printed canonically. */
  readonly body: string;
}

export interface PersistedQueryManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly version: 1;
  readonly operations: readonly ManifestOperation[];
}

/** A manifest with the file it came from (messages name it). */
export interface LoadedManifest {
  readonly source: string;
  readonly manifest: PersistedQueryManifest;
}

/** A manifest that cannot be trusted or read; the message names the file and the operation. */
export class ManifestError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ManifestError';
  }
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.literal(1),
  operations: z.array(
    z.object({
      id: z.string().regex(SHA256_HEX, { error: 'expected a lower-case sha256 hex id' }),
      name: z.string().min(1),
      type: z.enum(['query', 'mutation', 'subscription']),
      body: z.string().min(1),
    }),
  ),
});

/** Validates the shape and verifies every id against its body. */
export function parseManifest(json: unknown, source: string): PersistedQueryManifest {
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new ManifestError(`${source}: not an ${MANIFEST_FORMAT} v1${where}: ${issue?.message ?? 'invalid'}`);
  }
  for (const op of parsed.data.operations) {
    const actual = sha256Hex(op.body);
    if (actual !== op.id) {
      throw new ManifestError(
        `${source}: operation "${op.name}" has id ${op.id} but its body hashes to ${actual}; the manifest was edited by hand or corrupted (rebuild it with npm run pq:build)`,
      );
    }
  }
  return { format: MANIFEST_FORMAT, version: 1, operations: parsed.data.operations };
}

/** Parses manifest text (JSON) from `source`. */
export function parseManifestText(text: string, source: string): PersistedQueryManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ManifestError(`${source}: not valid JSON`, { cause });
  }
  return parseManifest(json, source);
}

/** The manifest's canonical file text (stable key order, trailing newline) so rebuilds diff cleanly. */
export function stringifyManifest(manifest: PersistedQueryManifest): string {
  const operations = manifest.operations.map(({ id, name, type, body }) => ({ id, name, type, body }));
  return `${JSON.stringify({ format: manifest.format, version: manifest.version, operations }, null, 2)}\n`;
}
