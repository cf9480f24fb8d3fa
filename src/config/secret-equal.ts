// Constant-time comparison of a presented secret with a configured one (bypass header, metrics
// token): both sides are hashed first, so neither the content nor the length leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export function secretEquals(presented: string, configured: string): boolean {
  return timingSafeEqual(digest(presented), digest(configured));
}
