// When the simulated providers received their calls: polls each provider's request log (recording
// on) every few milliseconds and stamps the new entries with the time they were seen, so that
// calls per second can be counted as the providers saw them. Stamps are late by at most the poll
// interval plus this process's event-loop delay.
import type { ProviderServer } from '../../src/dev/upstreams';

const POLL_MS = 5;

export class ProviderTimeline {
  readonly #providers: readonly ProviderServer[];
  readonly #stamps = new Map<string, number[]>();
  readonly #seen = new Map<string, number>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastCallAt = 0;

  constructor(providers: readonly ProviderServer[]) {
    this.#providers = providers;
  }

  /** Resets the providers' logs, turns recording on and starts stamping. */
  start(): void {
    for (const p of this.#providers) {
      p.resetRecords();
      p.recording = true;
      this.#stamps.set(p.name, []);
      this.#seen.set(p.name, 0);
    }
    this.#lastCallAt = performance.now();
    this.#timer = setInterval(() => this.#poll(), POLL_MS);
  }

  #poll(): void {
    const now = performance.now();
    for (const p of this.#providers) {
      const seen = this.#seen.get(p.name) ?? 0;
      const count = p.requests.length;
      if (count === seen) continue;
      const stamps = this.#stamps.get(p.name) ?? [];
      for (let i = seen; i < count; i++) stamps.push(now);
      this.#seen.set(p.name, count);
      this.#lastCallAt = now;
    }
  }

  /** Resolves once no provider has seen a call for `quietMs` (or after `maxMs`). */
  async settle(quietMs: number, maxMs: number): Promise<void> {
    const deadline = performance.now() + maxMs;
    while (performance.now() < deadline && performance.now() - this.#lastCallAt < quietMs) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS * 4));
    }
  }

  /** Stops stamping, turns recording off and empties the logs. */
  stop(): void {
    this.#poll();
    clearInterval(this.#timer);
    for (const p of this.#providers) {
      p.recording = false;
      p.resetRecords();
    }
  }

  /** `performance.now()` of each call the provider saw, in order. */
  stamps(name: string): readonly number[] {
    return this.#stamps.get(name) ?? [];
  }
}
