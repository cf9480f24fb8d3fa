// Vary as a set of header names: several parts of the gateway add to it (CORS, the cache headers),
// and `headers.set('vary', …)` from one would silently drop what another declared.

/** `first` then the names of `rest` it lacks (case-insensitive), as one Vary value; `*` stays alone. */
export function mergeVary(first: string, ...rest: (string | null | undefined)[]): string {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const value of [first, ...rest]) {
    for (const raw of (value ?? '').split(',')) {
      const name = raw.trim();
      if (name === '' || seen.has(name.toLowerCase())) continue;
      if (name === '*') return '*';
      seen.add(name.toLowerCase());
      names.push(name);
    }
  }
  return names.join(', ');
}

/** Adds header names to a response's Vary, keeping those already there. */
export function appendVary(headers: Headers, names: string): void {
  headers.set('vary', mergeVary(headers.get('vary') ?? '', names));
}
