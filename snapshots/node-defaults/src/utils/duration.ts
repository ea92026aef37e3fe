/**
 * A duration in the unit it reads best, the same words in every stack's messages: under a second
 * in milliseconds (`500 ms`), whole seconds under a minute in seconds (`5 s`), whole minutes in
 * minutes (`2 min`), anything else in seconds (`90 s`, `1.5 s`).
 */
export function readableDuration(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1_000} s`;
}
