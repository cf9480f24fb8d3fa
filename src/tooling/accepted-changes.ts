// The reviewed list of breaking schema changes that schema:check lets through (with a warning), each
// with the reason the retained operations it touches cannot be hurt. A missing file is an empty list.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AcceptedChange } from './schema-check';

const acceptedChangesSchema = z.object({
  accepted: z.array(z.object({ type: z.string().min(1), path: z.string().min(1), reason: z.string().min(1) }).strict()),
});

export class AcceptedChangesError extends Error {}

export function readAcceptedChanges(path: string): AcceptedChange[] {
  if (!existsSync(path)) return [];
  let parsed;
  try {
    parsed = acceptedChangesSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    throw new AcceptedChangesError(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!parsed.success) throw new AcceptedChangesError(`${path}: expected {"accepted": [{"type", "path", "reason"}]}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  return parsed.data.accepted;
}
