// `npm run providers:check [-- --json] [--sdl <dir>] [--sample <provider>.<name>=<id>]… [--provider <name>]…`:
// the providers of the environment `npm start` reads, checked against their contracts. Exit 0 when
// every call is ok, 1 on drift, 2 when a call could not be checked or the command is misused.
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/env';
import { DEFINITIONS, PROVIDER_NAMES } from '../providers';
import type { ProbeSamples } from '../providers/contract';
import { buildConfig, parseEnv } from '../server/config';
import { createProviderHttpClients } from '../server/provider-http';
import { runProvidersCheck, type CheckStatus } from './providers-check';
import { formatReport } from './providers-check-report';

export interface CommandOutput {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Longest sample id accepted: it goes into a provider's URL or variables. */
const MAX_SAMPLE_CHARS = 256;
const EXIT_CODES: Readonly<Record<CheckStatus, number>> = { ok: 0, drift: 1, error: 2 };
export const USAGE = 'usage: npm run providers:check [-- --json] [--sdl <dir>] [--sample <provider>.<name>=<id>]… [--provider <name>]… [--timeout-ms <ms>]';

class UsageError extends Error {}

function parseSamples(entries: readonly string[]): Record<string, Record<string, string>> {
  const samples: Record<string, Record<string, string>> = {};
  for (const entry of entries) {
    // Sized before the pattern sees it: a provider and a sample name take far less than 64 characters.
    const match = entry.length > MAX_SAMPLE_CHARS + 64 ? null : /^([a-z][a-z0-9-]*)\.([A-Za-z][A-Za-z0-9]*)=(.+)$/s.exec(entry);
    if (!match) throw new UsageError(`--sample ${entry.slice(0, 64)}: expected <provider>.<name>=<id> (an id of at most ${MAX_SAMPLE_CHARS} characters)`);
    const [, provider = '', name = '', value = ''] = match;
    const definition = DEFINITIONS.find((d) => d.name === provider);
    if (!definition) throw new UsageError(`--sample: unknown provider ${provider} (one of ${PROVIDER_NAMES.join(', ')})`);
    if (!Object.hasOwn(definition.contract.samples, name)) {
      throw new UsageError(`--sample: ${provider} has no sample ${name} (it has ${Object.keys(definition.contract.samples).join(', ')})`);
    }
    if (value.length > MAX_SAMPLE_CHARS) throw new UsageError(`--sample ${provider}.${name}: at most ${MAX_SAMPLE_CHARS} characters`);
    (samples[provider] ??= {})[name] = value;
  }
  return samples;
}

function parseTimeout(text: string | undefined): number {
  if (text === undefined) return 10_000;
  const ms = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (!(ms >= 100)) throw new UsageError(`--timeout-ms ${text.slice(0, 16)}: a whole number of milliseconds from 100 to 999999`);
  return ms;
}

function parseCommand(args: readonly string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        json: { type: 'boolean', default: false },
        sdl: { type: 'string' },
        sample: { type: 'string', multiple: true, default: [] },
        provider: { type: 'string', multiple: true, default: [] },
        'timeout-ms': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const unknown = values.provider.filter((name) => !(PROVIDER_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new UsageError(`--provider: unknown ${unknown.join(', ').slice(0, 200)} (one of ${PROVIDER_NAMES.join(', ')})`);
  return { json: values.json, sdlDir: values.sdl, samples: parseSamples(values.sample), only: values.provider, timeoutMs: parseTimeout(values['timeout-ms']) };
}

/** Runs the check with `env` (the variables `npm start` reads) and returns the exit code. */
export async function providersCheckCommand(args: readonly string[], env: Readonly<Record<string, string | undefined>>, output: CommandOutput): Promise<number> {
  let command: ReturnType<typeof parseCommand>;
  let config: ReturnType<typeof buildConfig>;
  try {
    command = parseCommand(args);
    config = buildConfig(parseEnv(env));
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof ConfigError)) throw error;
    output.err(`providers:check: ${error.message}${error instanceof UsageError ? `\n${USAGE}` : ''}`);
    return 2;
  }
  const http = createProviderHttpClients(config);
  try {
    const checked = DEFINITIONS.filter((d) => command.only.length === 0 || command.only.includes(d.name));
    const samples: Record<string, ProbeSamples> = command.samples;
    const report = await runProvidersCheck({
      providers: checked.map((d) => ({ name: d.name, contract: d.contract, http: http[d.name] })),
      samples,
      sdlDir: command.sdlDir,
      timeoutMs: command.timeoutMs,
    });
    // The JSON report is the run's output whatever its status (`--json > report.json` is the recipe);
    // the text report of a failed run goes to stderr, where a person looks.
    if (command.json) output.out(JSON.stringify(report, null, 2));
    else (report.status === 'ok' ? output.out : output.err)(formatReport(report));
    return EXIT_CODES[report.status];
  } finally {
    await Promise.all(Object.values(http).map((client) => client.close()));
  }
}
