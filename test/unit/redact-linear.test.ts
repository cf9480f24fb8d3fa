// Every pattern that reads request data does linear work: the scanners count the characters they
// visit, and doubling an adversarial input at most doubles the count (no timing involved). The
// scanners also give the same output as the regular expressions they replaced on ordinary text.
import { describe, expect, it } from 'vitest';
import { knownValues, redactAuthSchemes, redactJwts, redactSecretPairs, REDACTED, type ScanSteps } from '../../src/observability/credential-scan';
import { createScrubber, MAX_SCRUBBED_TEXT } from '../../src/observability/redact';
import { stripSuggestions } from '../../src/plugins/edge/http-hardening';

type Scan = (input: string, steps: ScanSteps) => string;

const known = knownValues([
  ['dev-secret-value-1', REDACTED],
  ['dev-secret-value-12', REDACTED],
  ['127.0.0.1:4001', '[upstream-host]'],
]);

const scans: Record<string, Scan> = {
  redactAuthSchemes,
  redactJwts,
  redactSecretPairs,
  knownValues: (input, steps) => known.replace(input, steps),
  stripSuggestions,
};

// Shapes that made the replaced regular expressions (or a naive scanner) rescan from every position.
const adversarial: Record<string, (n: number) => string> = {
  'eyJ- repeated (the JWT prefix without dots)': (n) => 'eyJ-'.repeat(n),
  'eyJ. repeated (dots without a payload)': (n) => 'eyJa.'.repeat(n),
  'Bearer and spaces, never a token': (n) => 'Bearer   x '.repeat(n),
  'password= with nothing after': (n) => 'password= '.repeat(n),
  'api-key: repeated': (n) => 'api-key:'.repeat(n),
  'Did you mean without a question mark': (n) => 'Did you mean x '.repeat(n),
  'prefixes of a known secret': (n) => 'dev-secret-value-'.repeat(n),
  'one long word': (n) => 'a'.repeat(n * 4),
};

function stepsOf(scan: Scan, input: string): number {
  const steps = { count: 0 };
  scan(input, steps);
  return steps.count;
}

describe('credential scanners do linear work on adversarial input', () => {
  for (const [scanName, scan] of Object.entries(scans)) {
    for (const [shape, make] of Object.entries(adversarial)) {
      it(`${scanName}: ${shape}`, () => {
        const sizes = [1000, 2000, 4000, 8000];
        const counts = sizes.map((n) => stepsOf(scan, make(n)));
        for (let i = 0; i < sizes.length; i++) {
          const length = make(sizes[i]!).length;
          // A bounded number of visits per character (the known-values scan compares at most the longest value, 19).
          expect(counts[i]!).toBeLessThanOrEqual(length * 20 + 1);
        }
        // Doubling the input at most doubles the work (plus a constant): quadratic work would quadruple it.
        for (let i = 1; i < sizes.length; i++) expect(counts[i]!).toBeLessThanOrEqual(counts[i - 1]! * 2 + 64);
      });
    }
  }
});

describe('the scanners redact what the regular expressions they replaced did', () => {
  const OLD: readonly [RegExp, string][] = [
    [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{12,}/gi, `$1 ${REDACTED}`],
    [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, REDACTED],
    [/\b((?:access|refresh|id)_token|client_secret|api[_-]?key|password)(["']?\s*[:=]\s*["']?)[^"'&\s,;}]+/gi, `$1$2${REDACTED}`],
  ];
  const old = (input: string) => OLD.reduce((out, [pattern, replace]) => out.replace(pattern, replace), input);
  const now = (input: string) => redactSecretPairs(redactJwts(redactAuthSchemes(input)));
  const samples = [
    'Authorization: Bearer abcdefghijklmnop.qrs',
    'basic dXNlcjpwYXNzd29yZA== and more',
    'the bearer token is invalid',
    'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.sig-nature_x end',
    'x-eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.s',
    'eyJonly.one-dot',
    'access_token=abc123&refresh_token=def456',
    '{"client_secret": "s3cr3t", "password":"hunter2"}',
    'api-key: k-123, apikey=zz; api_key : "q"',
    'Password = swordfish}',
    'nothing secret here, id_token',
  ];
  for (const sample of samples) {
    it(`same output for ${JSON.stringify(sample)}`, () => {
      expect(now(sample)).toBe(old(sample));
    });
  }
});

describe('the scrubber bounds what it reads', () => {
  it(`cuts text longer than ${MAX_SCRUBBED_TEXT} characters, and a token still running at the cut is dropped`, () => {
    const scrubber = createScrubber();
    expect(scrubber.text('eyJ-'.repeat(4000))).toBe('…[truncated]');
    const prose = 'a b '.repeat(4000);
    const out = scrubber.text(prose);
    expect(out.endsWith(' …[truncated]')).toBe(true);
    expect(out.length).toBeLessThanOrEqual(MAX_SCRUBBED_TEXT + '…[truncated]'.length);
  });

  it('keeps text at the limit whole', () => {
    const scrubber = createScrubber();
    const text = 'a'.repeat(MAX_SCRUBBED_TEXT);
    expect(scrubber.text(text)).toBe(text);
  });

  it('redacts a configured secret and a JWT that cross the cut', () => {
    const secret = 'sk_live_0123456789abcdef';
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEiLCJuYW1lIjoiQWxpY2UifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const scrubber = createScrubber({ secrets: [secret] });
    for (const credential of [secret, jwt]) {
      // Padding places the cut in the middle of the credential.
      const text = `${'x '.repeat((MAX_SCRUBBED_TEXT - 10) / 2)}key=${credential} and more`;
      const out = scrubber.text(text);
      expect(out).not.toContain(credential.slice(0, 12));
      expect(out.length).toBeLessThanOrEqual(MAX_SCRUBBED_TEXT + '…[truncated]'.length);
    }
  });
});
