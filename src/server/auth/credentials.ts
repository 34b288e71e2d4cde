/**
 * Reading an API key from a request's `Authorization` header: HTTP Basic `KEY:SECRET` (as
 * Confluent Cloud's APIs and `curl -u KEY:SECRET` send it) or `Bearer KEY:SECRET`.
 * Nothing read here is ever echoed back: a secret pasted in the wrong place stays unseen.
 */
export type PresentedCredentials =
  | { kind: 'none' }
  | { kind: 'malformed' }
  | { kind: 'api-key'; key: string; secret: string };

function split(pair: string): PresentedCredentials {
  const colon = pair.indexOf(':');
  if (colon <= 0 || colon === pair.length - 1) return { kind: 'malformed' };
  return { kind: 'api-key', key: pair.slice(0, colon), secret: pair.slice(colon + 1) };
}

export function readAuthorization(header: string | undefined): PresentedCredentials {
  if (header === undefined || header.trim() === '') return { kind: 'none' };
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(header);
  if (!match) return { kind: 'malformed' };
  const scheme = match[1]!.toLowerCase();
  const value = match[2]!;
  if (scheme === 'basic') {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return { kind: 'malformed' };
    return split(Buffer.from(value, 'base64').toString('utf8'));
  }
  if (scheme === 'bearer') return split(value);
  return { kind: 'malformed' };
}

/** The challenges of a 401 answer (RFC 9110 §11.6.1): both schemes we accept. */
export const AUTH_CHALLENGES = ['Basic realm="shiftleft", charset="UTF-8"', 'Bearer realm="shiftleft"'];
