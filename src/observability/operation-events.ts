// Subscribes one gateway's telemetry to the edge plugins' channels (allowlist audits, limits):
// a metric and a log line each. Events of requests this gateway is not serving are ignored.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Logger } from 'pino';
import { OPERATION_CHANNELS, type LimitEvent, type PersistedAuditEvent } from './channels';
import type { GatewayMetrics } from './metrics';

export interface OperationEventSinks {
  readonly metrics: GatewayMetrics;
  readonly lines: Logger;
  /** Whether this gateway is serving the request. */
  owns(requestId: string): boolean;
}

const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;
const safeName = (name: string | undefined): string | undefined => (name !== undefined && NAME.test(name) ? name : undefined);

export function subscribeOperationEvents(sinks: OperationEventSinks): () => void {
  const { metrics, lines } = sinks;

  function onAudit(message: unknown): void {
    const e = message as PersistedAuditEvent;
    if (!sinks.owns(e.requestId)) return;
    metrics.persistedAudit(e.reason);
    lines.info(
      { requestId: e.requestId, reason: e.reason, operation: safeName(e.operationName), documentHash: e.documentHash, client: e.client },
      'persisted operation audit',
    );
  }

  function onLimit(message: unknown): void {
    const e = message as LimitEvent;
    if (!sinks.owns(e.requestId)) return;
    metrics.limitExceeded(e.limit, e.enforced);
    lines.info(
      { requestId: e.requestId, limit: e.limit, actual: e.actual, max: e.max, enforced: e.enforced, operation: safeName(e.operationName) },
      'operation limit exceeded',
    );
  }

  subscribe(OPERATION_CHANNELS.audit, onAudit);
  subscribe(OPERATION_CHANNELS.limit, onLimit);
  return () => {
    unsubscribe(OPERATION_CHANNELS.audit, onAudit);
    unsubscribe(OPERATION_CHANNELS.limit, onLimit);
  };
}
