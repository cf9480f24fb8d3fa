// reviews wire shape → our Review model (the mapper codegen points `Review` to).
import type { ReviewWire } from './types';

export interface ReviewModel {
  readonly id: string;
  readonly productId: string;
  readonly rating: number;
  readonly body: string;
  readonly authorId: string;
}

export function toReview(productId: string, wire: ReviewWire): ReviewModel {
  return { id: wire.id, productId, rating: wire.score, body: wire.body, authorId: wire.authorId };
}
