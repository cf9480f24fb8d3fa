// The answer of an operations endpoint (health, metrics) as plain data, so that the node:http entry
// (through yoga, with its fetch API) and the Next.js route files build their own Response from it.

export interface OpsReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

type ResponseConstructor = new (body: string, init: { status: number; headers: Record<string, string> }) => Response;

export function toResponse(reply: OpsReply, ResponseClass: ResponseConstructor = Response): Response {
  return new ResponseClass(reply.body, { status: reply.status, headers: { ...reply.headers } });
}

export function jsonReply(status: number, body: unknown): OpsReply {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body: JSON.stringify(body) };
}

export const NOT_FOUND: OpsReply = { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Not Found' };
