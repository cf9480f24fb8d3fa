// Ids that callers send end up in provider URLs (a path segment, a comma-separated list) and bodies:
// each provider declares the ids it accepts next to its client, and the client refuses every other
// id with BAD_USER_INPUT before any upstream call (`..` as a path segment, a comma in a list, a
// 900 KB id that earns a 431 would otherwise each reach the provider).
import { AppError } from '../errors/app-error';

export interface IdRuleOptions {
  /** What the id names, for messages: `order id`. */
  readonly label: string;
  /** Longest id accepted, checked before any character is read. @default 64 */
  readonly maxLength?: number;
}

export interface IdRule {
  readonly label: string;
  readonly maxLength: number;
  /** Whether `id` is 1 to `maxLength` characters of A-Z, a-z, 0-9, `_` and `-`. */
  accepts(id: string): boolean;
  /** The BAD_USER_INPUT for a refused id: names the argument (or the id's kind), never the value. */
  refusal(argument?: string): AppError;
  /** Throws `refusal(argument)` unless the rule accepts `id`. */
  check(id: string, argument?: string): void;
}

const DEFAULT_MAX_LENGTH = 64;

// A-Z a-z 0-9 _ -: safe unencoded in a path segment and in a list; no `.`, so no dot segments.
function isIdChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f || code === 0x2d;
}

export function idRule(options: IdRuleOptions): IdRule {
  const { label } = options;
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  const expected = `1 to ${maxLength} characters of A-Z, a-z, 0-9, "_" or "-"`;
  const accepts = (id: string): boolean => {
    // The length first: a huge id costs one comparison, not a scan.
    if (id.length === 0 || id.length > maxLength) return false;
    for (let i = 0; i < id.length; i++) if (!isIdChar(id.charCodeAt(i))) return false;
    return true;
  };
  const refusal = (argument?: string): AppError =>
    argument === undefined
      ? new AppError('BAD_USER_INPUT', `Invalid ${label}: expected ${expected}.`)
      : new AppError('BAD_USER_INPUT', `"${argument}" must be a ${label} of ${expected}.`, { extensions: { argument } });
  return {
    label,
    maxLength,
    accepts,
    refusal,
    check(id, argument) {
      if (!accepts(id)) throw refusal(argument);
    },
  };
}

/**
 * Fetches only the ids `rule` accepts and puts a refusal in the place of each other one, so that a
 * bad id fails its own field, not every id the DataLoader batched with it.
 */
export async function fetchAccepted<T>(
  rule: IdRule,
  ids: readonly string[],
  fetch: (accepted: readonly string[]) => Promise<T[]>,
): Promise<(T | AppError)[]> {
  const ok = ids.map((id) => rule.accepts(id));
  if (ok.every(Boolean)) return fetch(ids);
  const accepted = ids.filter((_id, i) => ok[i]);
  const fetched = accepted.length > 0 ? await fetch(accepted) : [];
  let next = 0;
  return ids.map((_id, i) => (ok[i] ? (fetched[next++] as T) : rule.refusal()));
}
