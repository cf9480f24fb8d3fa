// Which incremental format a client accepts. We serve the one graphql-js 16 executors produce
// (@graphql-tools/executor under yoga): `{ data, hasNext }` then `{ incremental: [{ data | items, path,
// errors? }], hasNext }`, as `multipart/mixed` (Apollo Client's `deferSpec=20220824`, urql's plain
// `multipart/mixed`) or `text/event-stream`. The graphql-js 17 format (`pending`/`completed` ids,
// Apollo's `incrementalSpec=v0.2`) is not served: a client that accepts only that gets a 406.

/** The `deferSpec` we serve: Apollo's name for the format of 2022-08-24. */
export const SERVED_DEFER_SPEC = '20220824';

/** What a 406 tells the client it may send (the `Accept` we would answer). */
export const SERVED_INCREMENTAL_ACCEPT = `multipart/mixed;deferSpec=${SERVED_DEFER_SPEC}, text/event-stream`;

// An Accept header of a real client is a few hundred bytes; a longer one is not read (and not served).
const MAX_ACCEPT_LENGTH = 1024;
const MAX_MEDIA_RANGES = 32;

function accepts(range: string): boolean {
  const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
  let spec: string | undefined;
  for (const param of params) {
    const [name = '', value = ''] = param.split('=', 2).map((part) => part.trim().replace(/^"|"$/g, ''));
    if (name === 'q' && Number(value) === 0) return false;
    if (name === 'deferspec') spec = spec === undefined ? value : 'conflicting';
    else if (name === 'incrementalspec') spec = 'other';
  }
  if (type === 'multipart/mixed' || type === 'multipart/*' || type === '*/*') return spec === undefined || spec === SERVED_DEFER_SPEC;
  return type === 'text/event-stream' && spec === undefined;
}

/**
 * True when the `Accept` header lets us answer with our incremental format. No header at all means
 * anything (RFC 9110 §12.5.1), as for yoga.
 */
export function acceptsServedIncrementalFormat(accept: string | null): boolean {
  if (accept === null) return true;
  if (accept.length > MAX_ACCEPT_LENGTH) return false;
  const ranges = accept.split(',', MAX_MEDIA_RANGES + 1);
  if (ranges.length > MAX_MEDIA_RANGES) return false;
  return ranges.some(accepts);
}
