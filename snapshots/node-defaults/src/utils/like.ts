/**
 * Text made literal inside a LIKE pattern: its wildcards (`%`, `_`) and PostgreSQL's default
 * escape character (`\`) are escaped.
 */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}
