/**
 * A random UUID (version 4) to tag one request (guidelines 5.2). crypto.randomUUID exists only
 * in secure contexts (HTTPS or localhost); getRandomValues exists everywhere, so an app served
 * over plain HTTP inside a cluster still gets an id.
 */
export function newCorrelationId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
