// The V8 settings the gateway runs with in production: `npm start` puts them in NODE_OPTIONS (so the
// `next start` child gets them too), and the benchmark starts every ours-* target with them.
//
// --max-semi-space-size=16 (MB): V8 grows the young generation to what the load's in-flight data
// needs and keeps those pages resident afterwards; at 50 connections on the order page it reached
// ~110 MB of resident new space (two semi-spaces), and a 10-minute soak at a moderate rate kept
// ratcheting RSS up by a few MB whenever a burst of order pages survived a scavenge (+5.6 % after a
// full warm-up). Capped at 16 MB: peak RSS −75 to −80 MB, the soak flat (331.5 → 331.5 MB over
// 4 minutes), and no CPU cost above this machine's noise (order page, 3 interleaved pairs: 2.51
// vs 2.57 ms per request). Trade: more frequent scavenges, which a heavier per-request working
// set would feel first.
// Measured and not taken: 64 MB cut the order page's CPU by ~13 % (2.27–2.63 vs 2.84–3.00 ms per
// request, interleaved pairs) but RSS grew again over the soak, outside V8's spaces (likely Buffers
// of upstream bodies living longer between scavenges): +6.0 % in 10 minutes, and +4.8 % still
// climbing with --min-semi-space-size=64 too.
export const GATEWAY_NODE_OPTIONS = '--max-semi-space-size=16';
