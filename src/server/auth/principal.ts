/**
 * Who a request acts for, once access control has let it in (`request.principal`):
 * - an API key (`shiftleft apikey create`), possibly an admin one, with the KEKs it may use;
 * - the platform itself (its connectors, statements and contract checks calling its own
 *   registry), which uses every KEK the platform holds.
 * Without access control (`shiftleft up` without --auth) requests carry no principal, and
 * everything is allowed as before.
 */
export type Principal =
  | { kind: 'api-key'; key: string; admin: boolean; kekGrants: ReadonlySet<string> }
  | { kind: 'platform' };

export const PLATFORM_PRINCIPAL: Principal = { kind: 'platform' };

/**
 * Whether the platform may use KEK `kekName` (decrypt, or hand out a DEK in plaintext) on
 * behalf of `principal`. `undefined` means access control is off: the platform runs open.
 * Admin keys manage keys; they get no KEK implicitly (grant it to them like to any key).
 */
export function canDecrypt(principal: Principal | undefined, kekName: string): boolean {
  if (principal === undefined || principal.kind === 'platform') return true;
  return principal.kekGrants.has(kekName);
}

export function isAdmin(principal: Principal | undefined): boolean {
  return principal === undefined || principal.kind === 'platform' || principal.admin;
}

/** How a principal is named in messages: never a secret. */
export function describePrincipal(principal: Principal): string {
  return principal.kind === 'platform' ? 'the platform' : `API key ${principal.key}`;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by access control (src/server/auth/access-control.ts) when `up --auth` is on. */
    principal?: Principal;
  }
}
