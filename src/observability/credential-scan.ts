// The credential shapes the scrubber hides (bearer/basic credentials, JWTs, `password=…`-style
// pairs, known secrets), each found in ONE left-to-right pass. They see text a client wrote
// (headers, variables echoed in error messages), and the equivalent regular expressions backtrack:
// `\beyJ[\w-]*\.…` did quadratic work on `'eyJ-'.repeat(n)` (70 ms for 16 KB). Each scanner visits a
// character a bounded number of times and counts its visits, so a test can show the work is linear.

/** Characters visited, for tests; pass one object to several scans to add them up. */
export interface ScanSteps {
  count: number;
}

export const REDACTED = '[REDACTED]';

const WORD = 1; // [A-Za-z0-9_]
const SEGMENT = 2; // [A-Za-z0-9_-]: a JWT segment
const TOKEN68 = 4; // [A-Za-z0-9._~+/=-]: a bearer/basic credential (RFC 7235 token68)
const VALUE_STOP = 8; // ["'&,;}]: ends a `key=value` secret (with white space)
const QUOTE = 16; // ["']

const ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9_]/.test(ch)) ASCII[c]! |= WORD | SEGMENT | TOKEN68;
}
for (const ch of '-') ASCII[ch.charCodeAt(0)]! |= SEGMENT | TOKEN68;
for (const ch of '.~+/=') ASCII[ch.charCodeAt(0)]! |= TOKEN68;
for (const ch of '"\'&,;}') ASCII[ch.charCodeAt(0)]! |= VALUE_STOP;
for (const ch of '"\'') ASCII[ch.charCodeAt(0)]! |= QUOTE;

const has = (code: number, flag: number): boolean => code < 128 && (ASCII[code]! & flag) !== 0;

/** JavaScript's `\s`. */
function isSpace(code: number): boolean {
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13);
  if (code < 160) return false;
  return code === 160 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}

// A word starts at `i` when the character before it is not a word character (regex `\b`).
const wordStarts = (input: string, i: number): boolean => i === 0 || !has(input.charCodeAt(i - 1), WORD);

function equalsIgnoringCase(input: string, start: number, end: number, lower: string): boolean {
  return end - start === lower.length && input.slice(start, end).toLowerCase() === lower;
}

/** What a word matcher found at a word: a span to replace, or where to go on; and how much it read. */
type WordMatch = { readonly from: number; readonly to: number; readonly text: string; readonly read: number } | { readonly resume: number; readonly read: number };

/**
 * Calls `match` at every word (a run of [A-Za-z0-9_] at a word boundary, regex `\b\w+`) from left
 * to right; a replaced span is never read again, so the work is the input plus what `match` reads.
 */
function redactWords(input: string, steps: ScanSteps | undefined, match: (start: number, end: number) => WordMatch): string {
  let out = '';
  let last = 0;
  let visits = 0;
  let i = 0;
  const len = input.length;
  while (i < len) {
    visits++;
    if (!has(input.charCodeAt(i), WORD) || !wordStarts(input, i)) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < len && has(input.charCodeAt(j), WORD)) j++;
    const found = match(i, j);
    visits += j - i + found.read;
    if ('resume' in found) {
      i = found.resume;
      continue;
    }
    out += input.slice(last, found.from) + found.text;
    last = found.to;
    i = found.to;
  }
  if (steps) steps.count += visits;
  return last === 0 ? input : out + input.slice(last);
}

/** `Bearer <12+ token68 characters>` and `Basic …` → `Bearer [REDACTED]`. */
export function redactAuthSchemes(input: string, steps?: ScanSteps): string {
  const len = input.length;
  return redactWords(input, steps, (i, j) => {
    if (!equalsIgnoringCase(input, i, j, 'bearer') && !equalsIgnoringCase(input, i, j, 'basic')) return { resume: j, read: 0 };
    let k = j;
    while (k < len && isSpace(input.charCodeAt(k))) k++;
    let end = k;
    if (k > j) while (end < len && has(input.charCodeAt(end), TOKEN68)) end++;
    if (end - k >= 12) return { from: j, to: end, text: ` ${REDACTED}`, read: end - j };
    // The short token after the spaces is read again as words: at most 11 characters.
    return { resume: k, read: end - j };
  });
}

const isSegment = (input: string, i: number): boolean => has(input.charCodeAt(i), SEGMENT);

/** `eyJ….….…` (a JWT: header, payload, signature) starting at a word boundary → `[REDACTED]`. */
export function redactJwts(input: string, steps?: ScanSteps): string {
  const len = input.length;
  const segmentEnd = (from: number): number => {
    let end = from;
    while (end < len && isSegment(input, end)) end++;
    return end;
  };
  return redactWords(input, steps, (i, j) => {
    if (!input.startsWith('eyJ', i)) return { resume: j, read: 0 };
    // The header runs on past the word (a JWT segment also holds '-'); every later `eyJ` in it meets
    // the same dots, so the walk resumes after the header whatever this one decides.
    const header = segmentEnd(j);
    if (input.charCodeAt(header) !== 46) return { resume: header, read: header - j };
    const payload = segmentEnd(header + 1);
    if (payload === header + 1 || input.charCodeAt(payload) !== 46) return { resume: header, read: payload - j };
    const signature = segmentEnd(payload + 1);
    return { from: i, to: signature, text: REDACTED, read: signature - j };
  });
}

const SECRET_NAMES = new Set(['access_token', 'refresh_token', 'id_token', 'client_secret', 'api_key', 'apikey', 'password']);
const LONGEST_NAME = 13;

// End of a secret's name starting at the word [i, j) (`api-key` spans two words), else -1.
function secretNameEnd(input: string, i: number, j: number): number {
  if (j - i > LONGEST_NAME) return -1;
  const word = input.slice(i, j).toLowerCase();
  if (SECRET_NAMES.has(word)) return j;
  if (word === 'api' && input.charCodeAt(j) === 45 && input.slice(j + 1, j + 4).toLowerCase() === 'key') return j + 4;
  return -1;
}

/** `password=…`, `"client_secret": "…"`, `api-key: …` → the value replaced by `[REDACTED]`. */
export function redactSecretPairs(input: string, steps?: ScanSteps): string {
  const len = input.length;
  return redactWords(input, steps, (i, j) => {
    const nameEnd = secretNameEnd(input, i, j);
    if (nameEnd < 0) return { resume: j, read: 0 };
    // ["']? \s* [:=] \s* ["']? then 1+ characters that are not a quote, &, comma, ;, } or white space.
    let k = nameEnd;
    if (has(input.charCodeAt(k), QUOTE)) k++;
    while (k < len && isSpace(input.charCodeAt(k))) k++;
    const separator = input.charCodeAt(k);
    let value = -1;
    if (separator === 58 || separator === 61) {
      k++;
      while (k < len && isSpace(input.charCodeAt(k))) k++;
      if (has(input.charCodeAt(k), QUOTE)) k++;
      value = k;
      while (value < len && !has(input.charCodeAt(value), VALUE_STOP) && !isSpace(input.charCodeAt(value))) value++;
    }
    const read = Math.max(k, value) - nameEnd;
    if (value > k) return { from: k, to: value, text: REDACTED, read };
    // The spaces read above are read again as non-words, once.
    return { resume: nameEnd, read };
  });
}

export interface KnownValues {
  /** Every known value replaced by its replacement, longest first where one contains another. */
  replace(input: string, steps?: ScanSteps): string;
}

/**
 * Exact values (configured secrets, provider hosts): at each position only the values that start
 * with its character are compared, longest first; work is at most the input's length times the
 * longest value's, whatever the input.
 */
export function knownValues(values: readonly (readonly [string, string])[]): KnownValues {
  const byFirst = new Map<number, (readonly [string, string])[]>();
  for (const entry of [...values].sort((a, b) => b[0].length - a[0].length)) {
    if (entry[0].length === 0) continue;
    const first = entry[0].charCodeAt(0);
    const list = byFirst.get(first);
    if (list) list.push(entry);
    else byFirst.set(first, [entry]);
  }
  return {
    replace(input, steps) {
      if (byFirst.size === 0) return input;
      let out = '';
      let last = 0;
      let visits = 0;
      let i = 0;
      while (i < input.length) {
        visits++;
        const candidates = byFirst.get(input.charCodeAt(i));
        const hit = candidates?.find(([value]) => {
          visits += value.length;
          return input.startsWith(value, i);
        });
        if (hit === undefined) {
          i++;
          continue;
        }
        out += input.slice(last, i) + hit[1];
        i += hit[0].length;
        last = i;
      }
      if (steps) steps.count += visits;
      return last === 0 ? input : out + input.slice(last);
    },
  };
}

/** The text without the run of credential characters (RFC 7235 token68) it ends with, if any. */
export function withoutTrailingToken(text: string): string {
  let end = text.length;
  while (end > 0 && has(text.charCodeAt(end - 1), TOKEN68)) end--;
  return text.slice(0, end);
}
