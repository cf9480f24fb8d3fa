// A page of a cursor-paginated provider listing, in our model.
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}
