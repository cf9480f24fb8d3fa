// The sliding window shared by the circuit breaker and the retry budget, on a manual clock:
// exact counts, buckets aligned on multiples of windowMs / buckets, expiry at the window edge.
import { describe, expect, it } from 'vitest';
import { createSlidingWindow } from '../../src/http/sliding-window';
import { createManualClock } from '../helpers/manual-clock';

// 10 buckets of 100 ms each.
const WINDOW = { windowMs: 1000, buckets: 10 };

describe('sliding window', () => {
  it('counts every record of every kind exactly, kinds apart', () => {
    const clock = createManualClock({ start: 0 });
    const recent = createSlidingWindow(['ok', 'bad'], WINDOW, clock);
    expect(recent.counts()).toEqual({ ok: 0, bad: 0 });
    for (let i = 0; i < 7; i++) recent.record('ok');
    for (let i = 0; i < 3; i++) recent.record('bad');
    clock.advance(450);
    for (let i = 0; i < 2; i++) recent.record('bad');
    expect(recent.counts()).toEqual({ ok: 7, bad: 5 });
  });

  it('drops a bucket exactly when the window has passed its start, not a millisecond before', () => {
    const clock = createManualClock({ start: 0 });
    const recent = createSlidingWindow(['hit'], WINDOW, clock);
    recent.record('hit'); // bucket [0, 100)
    clock.advance(50);
    recent.record('hit'); // same bucket: it expires with the first record
    clock.advance(949); // t = 999
    expect(recent.counts()).toEqual({ hit: 2 });
    clock.advance(1); // t = 1000: the bucket [0, 100) has left the window
    expect(recent.counts()).toEqual({ hit: 0 });
  });

  it('keeps buckets aligned on multiples of the bucket length, whatever the start time', () => {
    const clock = createManualClock({ start: 1_050 });
    const recent = createSlidingWindow(['hit'], WINDOW, clock);
    recent.record('hit'); // bucket [1000, 1100)
    clock.advance(949); // t = 1999
    expect(recent.counts()).toEqual({ hit: 1 });
    clock.advance(1); // t = 2000: less than windowMs after the record, but its bucket is out
    expect(recent.counts()).toEqual({ hit: 0 });
  });

  it('drops old buckets one at a time as time slides', () => {
    const clock = createManualClock({ start: 0 });
    const recent = createSlidingWindow(['hit'], WINDOW, clock);
    for (let bucket = 0; bucket < 10; bucket++) {
      for (let i = 0; i <= bucket; i++) recent.record('hit'); // bucket n holds n + 1 records
      clock.advance(100);
    }
    // t = 1000: bucket 0 (1 record) is out, buckets 1..9 hold 2 + ... + 10.
    expect(recent.counts()).toEqual({ hit: 54 });
    clock.advance(100);
    expect(recent.counts()).toEqual({ hit: 52 });
    clock.advance(700);
    expect(recent.counts()).toEqual({ hit: 10 });
    clock.advance(100);
    expect(recent.counts()).toEqual({ hit: 0 });
  });

  it('forgets everything after a gap of several windows, then counts afresh', () => {
    const clock = createManualClock({ start: 0 });
    const recent = createSlidingWindow(['hit'], WINDOW, clock);
    for (let i = 0; i < 5; i++) {
      recent.record('hit');
      clock.advance(100);
    }
    clock.advance(3_250);
    recent.record('hit');
    expect(recent.counts()).toEqual({ hit: 1 });
  });

  it('forgets everything on reset', () => {
    const clock = createManualClock({ start: 0 });
    const recent = createSlidingWindow(['ok', 'bad'], WINDOW, clock);
    recent.record('ok');
    clock.advance(300);
    recent.record('bad');
    recent.reset();
    expect(recent.counts()).toEqual({ ok: 0, bad: 0 });
    recent.record('bad');
    expect(recent.counts()).toEqual({ ok: 0, bad: 1 });
  });

  it('keeps counting into the newest bucket when the clock steps back', () => {
    const clock = createManualClock({ start: 500 });
    const recent = createSlidingWindow(['hit'], WINDOW, clock);
    recent.record('hit'); // bucket [500, 600)
    clock.advance(-300);
    recent.record('hit'); // still bucket [500, 600): nothing is dropped or overwritten
    expect(recent.counts()).toEqual({ hit: 2 });
    clock.advance(1_300); // t = 1500: [500, 600) leaves the window
    expect(recent.counts()).toEqual({ hit: 0 });
  });
});
