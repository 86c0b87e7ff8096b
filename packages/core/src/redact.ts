/**
 * Removes secrets from text that came from elsewhere (a server may echo a
 * request back). Each known secret value, and anything that looks like an
 * Authorization header value, becomes `***`.
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text.replace(/SDK-HMAC-SHA256\s+[^"\r\n]*/gi, 'SDK-HMAC-SHA256 ***');
  for (const secret of secrets) {
    // Short values would blank out ordinary words; real keys and tokens are long.
    if (secret && secret.length >= 8) out = out.split(secret).join('***');
  }
  return out;
}
