// Automatic persisted queries registered at run time: development only (mode `off`). Bounded, so a
// client hashing random documents cannot grow memory; the oldest registration goes first.
export interface ApqRegistry {
  get(id: string): string | undefined;
  register(id: string, body: string): void;
  readonly size: number;
}

export function createApqRegistry(maxEntries = 1000): ApqRegistry {
  const bodies = new Map<string, string>();
  return {
    get: (id) => bodies.get(id),
    register(id, body) {
      bodies.delete(id);
      bodies.set(id, body);
      while (bodies.size > maxEntries) {
        const [oldest] = bodies.keys();
        if (oldest === undefined) break;
        bodies.delete(oldest);
      }
    },
    get size() {
      return bodies.size;
    },
  };
}
