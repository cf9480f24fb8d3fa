// Wire types of the accounts provider (GraphQL) and their runtime schema.
import { z } from 'zod';

export const accountSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  emailAddress: z.string(),
  createdAt: z.string(),
});
export type AccountWire = z.infer<typeof accountSchema>;

export const usersDataSchema = z.object({ users: z.array(accountSchema.nullable()) });
