/**
 * Text with every byte but A-Z a-z 0-9 - . _ ~ percent-encoded (RFC 3986), so that no filter's
 * text can pass for another parameter in a page's key.
 */
export function percentEncoded(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
