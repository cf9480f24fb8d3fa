// Typed publishers for the channels of src/observability/channels.ts; free when unsubscribed.
import {
  breakerStateChannel,
  httpAttemptChannel,
  httpRequestChannel,
  throttleChannel,
  tokenRefreshChannel,
  type BreakerStateEvent,
  type HttpAttemptEvent,
  type HttpRequestEvent,
  type ThrottleEvent,
  type TokenRefreshEvent,
} from '../observability/channels';

export function publishAttempt(event: HttpAttemptEvent): void {
  if (httpAttemptChannel.hasSubscribers) httpAttemptChannel.publish(event);
}

export function publishRequest(event: HttpRequestEvent): void {
  if (httpRequestChannel.hasSubscribers) httpRequestChannel.publish(event);
}

export function publishBreaker(event: BreakerStateEvent): void {
  if (breakerStateChannel.hasSubscribers) breakerStateChannel.publish(event);
}

export function publishToken(event: TokenRefreshEvent): void {
  if (tokenRefreshChannel.hasSubscribers) tokenRefreshChannel.publish(event);
}

export function publishThrottle(event: ThrottleEvent): void {
  if (throttleChannel.hasSubscribers) throttleChannel.publish(event);
}

const RATE_LIMIT_HEADER = /^(x-)?ratelimit|^retry-after$/;

/** The rate-limit headers of an answer, or undefined when it has none. */
export function rateLimitHeaders(headers: Readonly<Record<string, string>>): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (RATE_LIMIT_HEADER.test(name)) (out ??= {})[name] = value;
  }
  return out;
}
