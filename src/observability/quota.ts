// The remaining quota a provider announced in its rate-limit headers, whichever dialect it speaks:
// `X-RateLimit-Remaining`, `RateLimit-Remaining`, or the IETF structured `RateLimit: …;r=N`.

/** Headers with lower-case names, as the http core's attempt events carry them. */
export function remainingQuota(headers: Readonly<Record<string, string>>): number | undefined {
  const plain = headers['ratelimit-remaining'] ?? headers['x-ratelimit-remaining'];
  if (plain !== undefined) return toCount(plain.split(',')[0]);
  const structured = headers['ratelimit'];
  if (structured === undefined) return undefined;
  const match = /(?:^|[;,\s])(?:r|remaining)=(\d+)/.exec(structured);
  return match ? toCount(match[1]) : undefined;
}

function toCount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.trim());
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
