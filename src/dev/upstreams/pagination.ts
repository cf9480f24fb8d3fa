// Opaque cursors and limit parsing shared by the REST providers' list endpoints.

/** The cursor encodes the numeric part of the last id returned; callers must treat it as opaque. */
export function encodeCursor(lastNumber: number): string {
  return Buffer.from(`n:${lastNumber}`).toString('base64url');
}

/** `undefined` when the cursor was not produced by `encodeCursor`. */
export function decodeCursor(cursor: string): number | undefined {
  const match = /^n:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** `undefined` when present but not an integer in 1..max. */
export function parseLimit(raw: string | undefined, fallback: number, max: number): number | undefined {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,6}$/.test(raw)) return undefined;
  const limit = Number(raw);
  return limit >= 1 && limit <= max ? limit : undefined;
}

/** Numeric suffix of ids such as `ord-12` / `prod-7`. */
export function idNumber(id: string): number {
  return Number(id.slice(id.lastIndexOf('-') + 1));
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** One page of `sorted` (ascending by id number) after the cursor position. */
export function pageAfter<T>(sorted: readonly T[], idOf: (item: T) => string, after: number, limit: number): Page<T> {
  const start = sorted.findIndex((item) => idNumber(idOf(item)) > after);
  if (start === -1) return { items: [], nextCursor: null };
  const items = sorted.slice(start, start + limit);
  const last = items.at(-1);
  const more = start + limit < sorted.length;
  return { items, nextCursor: more && last !== undefined ? encodeCursor(idNumber(idOf(last))) : null };
}
