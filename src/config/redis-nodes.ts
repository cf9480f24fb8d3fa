// One entry of REDIS_CLUSTER_NODES or REDIS_SENTINELS: `host:port` (a bracketed IPv6 host allowed).
import type { ListEntry } from './comma-list';

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

const NODE = /^(?:\[([0-9A-Fa-f:.]{2,45})\]|([A-Za-z0-9.-]{1,253})):(\d{1,5})$/;

export function parseRedisNode(entry: string): ListEntry<RedisNode> {
  const match = entry.length <= 300 ? NODE.exec(entry) : null;
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2];
  if (host === undefined || !(port >= 1 && port <= 65_535)) return { problem: `"${entry.slice(0, 80)}": expected host:port` };
  return { value: { host, port } };
}
