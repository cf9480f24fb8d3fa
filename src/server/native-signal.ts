// Yoga's request.signal under node (whatwg-node's server adapter) is a Proxy whose every property
// read runs a string test on the property's name; the provider clients read the request's signal at
// every attempt (aborted, addEventListener, removeEventListener), five attempts and more per order
// page. One native signal per request, told once when the request's own aborts. Not
// `AbortSignal.any([request.signal])`: on whatwg-node's signal that moves every later abort to an
// internal native controller, and listeners on the request's own signal (admission) would miss it.

/** A native AbortSignal that aborts when `signal` does, with its reason. */
export function nativeSignal(signal: AbortSignal): AbortSignal {
  if (signal.aborted) return AbortSignal.abort(signal.reason);
  const controller = new AbortController();
  signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  return controller.signal;
}
