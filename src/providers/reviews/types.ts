// Wire types of the reviews provider (GraphQL subgraph) and their runtime schema.
import { z } from 'zod';

export const reviewSchema = z.object({ id: z.string(), score: z.number().int(), body: z.string(), authorId: z.string() });
export type ReviewWire = z.infer<typeof reviewSchema>;

export const entitiesDataSchema = z.object({
  _entities: z.array(z.object({ id: z.string(), reviews: z.array(reviewSchema) }).nullable()),
});
