// The contract check's report as text for people: one block per provider, one line per call, and under
// each drifted call its findings (path, what was expected, what the provider sent).
import type { Finding } from './contract-drift';
import type { CallReport, ProvidersCheckReport } from './providers-check';

const KIND_LABELS: Readonly<Record<Finding['kind'], string>> = {
  missing: 'missing',
  retyped: 're-typed',
  'unknown-enum': 'unknown enum value',
  invalid: 'invalid',
  extra: 'extra field (info)',
  document: 'document invalid',
  'graphql-error': 'provider error',
};

// Control characters (C0, DEL, C1), line and paragraph separators and bidirectional overrides.
const UNPRINTABLE = /[\p{Cc}\p{Zl}\p{Zp}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** Text a provider wrote (messages, field names), escaped as JSON escapes it (describe() quotes values so): a provider cannot break a line or drive the terminal. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    // JSON's own escapes (`\n`, `\u001b`) where it has them; JSON leaves DEL, C1 and the rest as they are.
    const json = JSON.stringify(char).slice(1, -1);
    return json.startsWith('\\') ? json : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

function findingLine(finding: Finding): string {
  const times = finding.count > 1 ? ` (${finding.count} items)` : '';
  const expected = finding.severity === 'info' ? '' : `expected ${printable(finding.expected)}, `;
  return `      ${printable(finding.path)}: ${KIND_LABELS[finding.kind]}: ${expected}found ${printable(finding.found)}${times}`;
}

function callLines(call: CallReport): string[] {
  const head = `  ${call.status.padEnd(5)} ${call.call}${call.error === undefined ? '' : `: ${printable(call.error)}`}`;
  return [head, ...call.findings.map(findingLine)];
}

export function formatReport(report: ProvidersCheckReport): string {
  const lines = [`providers:check ${report.status}: ${report.providers.length} providers, ${report.requests} calls`];
  for (const provider of report.providers) {
    const source = provider.schemaSource === undefined ? '' : ` (schema by ${provider.schemaSource === 'introspection' ? 'introspection' : 'recorded SDL file'})`;
    lines.push('', `${provider.provider}: ${provider.status}${source}`, ...provider.calls.flatMap(callLines));
  }
  return lines.join('\n');
}
