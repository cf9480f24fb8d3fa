// Shared-state checks 1a/1b: the inbound budgets (src/plugins/rate-limit/) of two instances on one
// Redis are one budget. One caller sends 2.5× its budget in turn to both instances; the admitted
// total must be the budget (within 5%), not twice it, and every refusal a 429 with Retry-After.
// The keys live under this run's own REDIS_KEY_PREFIX, so the fixed window starts at the first
// request of the check and the whole check fits in it. Whether the Retry-After values are usable is
// a check of its own (checkRetryAfter), apart from whether the budget is shared.
import { parse } from 'graphql';
import { estimateCost } from '../../src/operations/cost';
import { getSchema } from '../../src/server/schema';
import { OPERATIONS, type PersistedLookup, type RequestSpec } from './operations';
import { perInstance, sendInTurn, type Answer } from './shared-send';
import type { SharedCheck } from './shared-state';

export const WINDOW_SECONDS = 60;
export const REQUEST_LIMIT = 200;
/** The cost budget admits this many order pages. */
export const COST_ADMITS = 60;
const OVERSEND = 2.5;
const CONCURRENCY = 8;
const TOLERANCE = 0.05;
/** RATE_LIMIT_LEASE_FRACTION's default (the instances run with it). */
const LEASE_FRACTION = 0.1;

/** Static cost of a scenario's operation as the cost plugin estimates it (defaults of src/operations/cost.ts). */
export function operationCost(persisted: PersistedLookup, scenario: 'order-page' | 'single-entity'): number {
  const op = OPERATIONS[scenario];
  const document = parse(persisted.find(op.name)?.body ?? op.fallback);
  return estimateCost(getSchema(), document, { operationName: op.name, variables: scenario === 'single-entity' ? { id: 'prod-42' } : {} });
}

/** Settings of the instances for both checks. */
export function inboundEnv(costPerWindow: number): Record<string, string> {
  return {
    RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
    RATE_LIMIT_REQUESTS_PER_WINDOW: String(REQUEST_LIMIT),
    RATE_LIMIT_COST_PER_WINDOW: String(costPerWindow),
  };
}

interface Tally {
  readonly sent: number;
  readonly admitted: number;
  readonly refused: number;
  readonly refusedWithRetryAfter: number;
  /** Retry-After of each 429, as received. */
  readonly retryAfters: readonly string[];
  readonly other: number;
  readonly admittedPerInstance: string;
  readonly refusedPerInstance: string;
}

function tally(answers: readonly Answer[], instances: number): Tally {
  const refused = answers.filter((a) => a.status === 429);
  return {
    sent: answers.length,
    admitted: answers.filter((a) => a.ok).length,
    refused: refused.length,
    refusedWithRetryAfter: refused.filter((a) => a.retryAfter !== undefined).length,
    retryAfters: refused.map((a) => a.retryAfter ?? '(none)'),
    other: answers.filter((a) => !a.ok && a.status !== 429).length,
    admittedPerInstance: perInstance(answers, instances, (a) => a.ok),
    refusedPerInstance: perInstance(answers, instances, (a) => a.status === 429),
  };
}

const within = (observed: number, expected: number) => Math.abs(observed - expected) <= TOLERANCE * expected;
const band = (expected: number) => `${Math.ceil(expected * (1 - TOLERANCE))}–${Math.floor(expected * (1 + TOLERANCE))}`;

function otherStatuses(answers: readonly Answer[]): string {
  const counts = new Map<string, number>();
  for (const a of answers.filter((x) => !x.ok && x.status !== 429)) {
    const key = `${a.status}${a.codes.length > 0 ? ` ${a.codes.join('/')}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n}× ${k}`).join(', ');
}

export interface InboundResult {
  readonly check: SharedCheck;
  /** Retry-After of each 429, as received. */
  readonly retryAfters: readonly string[];
}

/** The budget's counter in Redis after the check (points spent), undefined when absent. */
export type StoredPoints = () => Promise<number | undefined>;

const storedText = (n: number | undefined) => (n === undefined ? 'no counter in Redis' : `Redis counter ${n}`);

export async function checkRequestBudget(origins: readonly string[], spec: RequestSpec, stored: StoredPoints): Promise<InboundResult> {
  const total = Math.round(REQUEST_LIMIT * OVERSEND);
  const answers = await sendInTurn(origins, spec, total, CONCURRENCY);
  const t = tally(answers, origins.length);
  const counter = await stored();
  const pass = within(t.admitted, REQUEST_LIMIT) && t.other === 0 && t.refused === t.refusedWithRetryAfter;
  const others = t.other > 0 ? `; other answers: ${otherStatuses(answers)}` : '';
  const { retryAfters, ...figures } = t;
  const check: SharedCheck = {
    name: 'inbound request budget',
    setup: `RATE_LIMIT_REQUESTS_PER_WINDOW=${REQUEST_LIMIT}, window ${WINDOW_SECONDS} s; one caller sends ${total} single-entity requests in turn to both instances, ${CONCURRENCY} in flight`,
    expected: `${REQUEST_LIMIT} admitted (${band(REQUEST_LIMIT)}), ${total - REQUEST_LIMIT} × 429, each with Retry-After; Redis counter ${REQUEST_LIMIT} (leases of ${Math.max(1, Math.floor(REQUEST_LIMIT * LEASE_FRACTION))}: a refused request spends nothing, src/plugins/rate-limit/budget-lease.ts)`,
    observed: `${t.admitted} admitted (${t.admittedPerInstance}), ${t.refused} × 429 (${t.refusedPerInstance}), ${t.refusedWithRetryAfter} with Retry-After; ${storedText(counter)}${others}`,
    pass,
    figures: { limit: REQUEST_LIMIT, redisCounter: counter ?? null, ...figures },
  };
  return { check, retryAfters };
}

export async function checkCostBudget(origins: readonly string[], spec: RequestSpec, costPerRequest: number, budget: number, stored: StoredPoints): Promise<InboundResult> {
  const expectedAdmitted = Math.floor(budget / costPerRequest);
  const total = Math.round(expectedAdmitted * OVERSEND);
  const answers = await sendInTurn(origins, spec, total, CONCURRENCY);
  const t = tally(answers, origins.length);
  // Refused spends are given back: the counter is the cost admitted.
  const counter = await stored();
  // The gateway's own estimate, as it reports it (x-operation-cost): the bench's must agree.
  const reported = Number(answers.find((a) => a.ok)?.headers['x-operation-cost'] ?? Number.NaN);
  const admittedCost = t.admitted * costPerRequest;
  const pass = within(admittedCost, budget) && admittedCost <= budget && reported === costPerRequest && t.other === 0 && t.refused === t.refusedWithRetryAfter;
  const others = t.other > 0 ? `; other answers: ${otherStatuses(answers)}` : '';
  const { retryAfters, ...figures } = t;
  const check: SharedCheck = {
    name: 'inbound cost budget',
    setup: `RATE_LIMIT_COST_PER_WINDOW=${budget} (${COST_ADMITS} order pages of cost ${costPerRequest}), window ${WINDOW_SECONDS} s; one caller sends ${total} order pages in turn to both instances, ${CONCURRENCY} in flight`,
    expected: `cost admitted ≤ ${budget} and ≥ ${Math.ceil(budget * (1 - TOLERANCE))} (${expectedAdmitted} pages), the rest 429 with Retry-After; Redis counter = cost admitted + what the instances leased and did not spend (≤ 2 × ${Math.max(Math.floor(budget * LEASE_FRACTION), 2 * costPerRequest)})`,
    observed: `${admittedCost} (${t.admitted} pages: ${t.admittedPerInstance}; x-operation-cost ${Number.isNaN(reported) ? '–' : reported}), ${t.refused} × 429 (${t.refusedPerInstance}), ${t.refusedWithRetryAfter} with Retry-After; ${storedText(counter)}${others}`,
    pass,
    figures: { budget, costPerRequest, reportedCost: Number.isNaN(reported) ? null : reported, admittedCost, redisCounter: counter ?? null, ...figures },
  };
  return { check, retryAfters };
}

/** RFC 9110 §10.2.3: one delta-seconds (or an HTTP-date, which the gateway does not send). */
export function checkRetryAfter(values: readonly string[]): SharedCheck {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const valid = values.filter((v) => /^\d+$/.test(v) && Number(v) >= 1).length;
  return {
    name: '429 Retry-After value',
    setup: 'the Retry-After header of every 429 of the two budget checks above',
    expected: 'one delta-seconds value ≥ 1 (RFC 9110 §10.2.3), e.g. "60"',
    observed: `${valid} of ${values.length} valid; received: ${[...counts].map(([v, n]) => `${n}× "${v}"`).join(', ') || 'none'}`,
    pass: values.length > 0 && valid === values.length,
    figures: { refusals: values.length, valid, received: Object.fromEntries(counts) },
  };
}
