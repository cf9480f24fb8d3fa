// Comma-separated variables (JWT_ALGORITHMS, TRUSTED_PROXIES, CORS_ORIGINS): each entry trimmed,
// empty ones skipped, duplicates dropped, and every bad entry reported on its own.

/** One entry's value, or why the entry is refused (the message names it). */
export type ListEntry<T> = { readonly value: T } | { readonly problem: string };

/** A comma-separated list as values, or the problems of its bad entries. */
export function parseCommaList<T>(text: string, parseEntry: (entry: string) => ListEntry<T>): { values: T[]; problems: string[] } {
  const values: T[] = [];
  const problems: string[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const parsed = parseEntry(entry);
    if ('problem' in parsed) problems.push(parsed.problem);
    else if (!values.includes(parsed.value)) values.push(parsed.value);
  }
  return { values, problems };
}
