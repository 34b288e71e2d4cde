/**
 * Removes secrets from text a server is about to send or print: the platform's own
 * capability path (`/_internal/<token>`, access-control.ts) and passwords in URLs
 * (`scheme://user:password@host`). Error messages often quote URLs; these never leave.
 */
const INTERNAL_TOKEN = /\/_internal\/[A-Za-z0-9_-]+/g;
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)[^\s/@]*@/gi;

export function redactSecrets(text: string): string {
  return text.replace(INTERNAL_TOKEN, '/_internal/<redacted>').replace(URL_PASSWORD, '$1<redacted>@');
}

/** The same for any JSON-like value (error details), leaving untouched what holds no secret. */
export function redactValue<T>(value: T): T {
  const text = JSON.stringify(value);
  if (text === undefined) return value;
  const redacted = redactSecrets(text);
  return redacted === text ? value : (JSON.parse(redacted) as T);
}
