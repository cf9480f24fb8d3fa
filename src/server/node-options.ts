// The V8 settings the gateway runs with in production: `npm start` puts them in NODE_OPTIONS (so the
// `next start` child gets them too), and the benchmark starts every ours-* target with them.
//
// --max-semi-space-size=32 (MB): a fixed ceiling for the young generation. Without one V8 sizes it
// from the machine's memory and kept growing it under load: at 50 connections on the order page it
// reached ~110 MB of resident new space, and a 10-minute soak at a moderate rate kept ratcheting RSS
// up whenever a burst of order pages survived a scavenge (+5.6 % after a full warm-up).
// The size trades CPU against that growth (order page at 50 connections, interleaved pairs on one
// core; soak = 10 minutes at 100 req/s after a warm-up, RSS growth from the warmed start):
//   16 MB: 2.74–3.02 ms CPU per request, peak RSS ~320 MB, soak +0.1 %
//   32 MB: 2.62–2.80 ms (−7 %: fewer scavenges copying the same in-flight requests), ~350 MB, soak +1.9 %
//   64 MB: 2.27–2.63 ms (−13 %), ~410 MB, soak +6.0 % (+4.8 % and still climbing with the minimum
//          pinned at 64 too); the growth is outside V8's spaces, likely upstream body Buffers living
//          longer between scavenges
// 32 MB keeps most of the CPU gain with a flat soak. Peak RSS stays below plain Yoga's (~435 MB).
export const GATEWAY_NODE_OPTIONS = '--max-semi-space-size=32';
