// Relay-style connections over providers whose cursors are opaque and only mark page starts.
// Our cursor = base64url(JSON [providerCursor | null, skip]): "after the `skip`-th item of the page
// that starts at providerCursor". Every edge gets a working cursor without the provider's help.
import { AppError } from '../errors/app-error';
import type { Page } from '../providers/page';

/** The largest page the providers serve; `first + skip` is clamped to it. */
const PROVIDER_MAX_PAGE = 100;

export interface PageRequest {
  readonly first: number;
  readonly after?: string | null | undefined;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

function encode(providerCursor: string | null, skip: number): string {
  return Buffer.from(JSON.stringify([providerCursor, skip]), 'utf8').toString('base64url');
}

/** Longest cursor a client may send back; ours stay far below (a provider cursor of 256 characters, base64url). */
const MAX_CURSOR_LENGTH = 512;
/** Longest provider cursor carried inside ours: it reaches the provider's URL. */
const MAX_PROVIDER_CURSOR_LENGTH = 256;

function decode(cursor: string): { providerCursor: string | undefined; skip: number } {
  // Bounded before it is decoded: a cursor is client input, and its inside reaches a provider's URL.
  if (cursor.length > MAX_CURSOR_LENGTH) throw invalidCursor();
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && (value[0] === null || (typeof value[0] === 'string' && value[0].length <= MAX_PROVIDER_CURSOR_LENGTH))) {
      const skip: unknown = value[1];
      if (typeof skip === 'number' && Number.isInteger(skip) && skip >= 0 && skip < PROVIDER_MAX_PAGE) {
        return { providerCursor: value[0] ?? undefined, skip };
      }
    }
  } catch {
    // fall through: not one of ours
  }
  throw invalidCursor();
}

function invalidCursor(): AppError {
  return new AppError('BAD_USER_INPUT', 'The "after" cursor is not valid.', { extensions: { argument: 'after' } });
}

export async function connectionOf<T>(
  request: PageRequest,
  fetchPage: (page: { first: number; after?: string | undefined }) => Promise<Page<T>>,
): Promise<Connection<T>> {
  const { providerCursor, skip } = request.after ? decode(request.after) : { providerCursor: undefined, skip: 0 };
  const limit = Math.min(PROVIDER_MAX_PAGE, request.first + skip);
  const page = await fetchPage({ first: limit, after: providerCursor });
  const nodes = page.items.slice(skip, skip + request.first);
  const start = providerCursor ?? null;
  const edges = nodes.map((node, i) => ({ cursor: encode(start, skip + i + 1), node }));
  const moreInPage = page.items.length > skip + nodes.length;
  const hasNextPage = moreInPage || page.nextCursor !== null;
  // Past the end of the fetched page, the provider's own cursor is the cheaper resume point.
  const endCursor = !moreInPage && page.nextCursor !== null ? encode(page.nextCursor, 0) : (edges.at(-1)?.cursor ?? null);
  return { edges, pageInfo: { hasNextPage, endCursor } };
}
