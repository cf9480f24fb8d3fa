// The simulated catalog's outgoing webhook: each change is POSTed to the gateway as
// `{ id, type, data }`, signed `webhook-signature: t=<seconds>,v1=<HMAC-SHA256 of "t.body">` with the
// shared secret, as a real provider's webhook would be. Deliveries are kept (the last 100) for tests
// and the demo's log line.
import { randomUUID } from 'node:crypto';
import { SIGNATURE_HEADER, signatureHeaderOf } from '../../plugins/provider-events/signature';

export interface CatalogEventsOptions {
  /** The gateway's `/api/webhooks/catalog` URL. */
  readonly url: string;
  readonly secret: string;
  /** Clock of the signed timestamp, in milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Told each delivery's outcome (the demo prints it). @default none */
  readonly onDelivery?: (delivery: EventDelivery) => void;
}

export interface EventDelivery {
  readonly eventId: string;
  readonly type: string;
  /** The gateway's status; undefined when the call failed or no URL is configured. */
  readonly status: number | undefined;
  readonly body: string;
}

const MAX_KEPT = 100;

export class CatalogEvents {
  #options: CatalogEventsOptions | undefined;
  readonly deliveries: EventDelivery[] = [];

  configure(options: CatalogEventsOptions): void {
    this.#options = options;
  }

  get configured(): boolean {
    return this.#options !== undefined;
  }

  /** Sends one event; resolves with its delivery (never rejects). */
  async emit(type: string, data: Record<string, unknown>): Promise<EventDelivery> {
    const eventId = `evt_${randomUUID()}`;
    const options = this.#options;
    let delivery: EventDelivery;
    if (options === undefined) {
      delivery = { eventId, type, status: undefined, body: 'no webhook URL configured' };
    } else {
      const body = JSON.stringify({ id: eventId, type, data });
      const signature = signatureHeaderOf(options.secret, body, (options.now ?? Date.now)() / 1000);
      try {
        const response = await fetch(options.url, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature }, body });
        delivery = { eventId, type, status: response.status, body: await response.text() };
      } catch (error) {
        delivery = { eventId, type, status: undefined, body: error instanceof Error ? error.message : String(error) };
      }
    }
    this.deliveries.push(delivery);
    if (this.deliveries.length > MAX_KEPT) this.deliveries.shift();
    options?.onDelivery?.(delivery);
    return delivery;
  }
}
