// accounts wire shape → our User model (the mapper codegen points `User` to).
import type { AccountWire } from './types';

export interface UserModel {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly memberSince: string;
}

export function toUser(wire: AccountWire): UserModel {
  return { id: wire.id, name: wire.displayName, email: wire.emailAddress, memberSince: wire.createdAt };
}
