import { z } from "zod";

/*
 * What every resource's schemas share: the values of the contract's field types as clients
 * write them in bodies, and as the list's filter[<field>] parameters read them from the query
 * (api/openapi.json says the same). Years 1000 to 9999 and at most milliseconds: what every
 * Visiobook backend stores the same.
 */

const DATE = /^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$/;
const DATE_TIME =
  /^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,3})?(Z|[+-][0-9]{2}:[0-9]{2})$/;
// A whole number as a query writes it: the digits 0-9, "-" its only sign, no leading zero.
const INTEGER = /^-?(0|[1-9][0-9]{0,9})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INTEGER_MIN = -2_147_483_648;
const INTEGER_MAX = 2_147_483_647;
const WHOLE = `must be a whole number from ${INTEGER_MIN} to ${INTEGER_MAX}`;

/** Characters as JSON Schema and PostgreSQL count them; `.length` counts UTF-16 units. */
const codePoints = (value: string): number => Array.from(value).length;

/** A string without NUL or unpaired surrogates (PostgreSQL stores neither), its length capped. */
export function text(maxLength: number, wrongType = "must be a string") {
  return z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : wrongType) })
    .refine((value) => value.isWellFormed(), "must not contain unpaired surrogates")
    .refine((value) => !value.includes("\0"), "must not contain NUL characters")
    .refine(
      (value) => codePoints(value) <= maxLength,
      `must be at most ${maxLength} characters long`,
    );
}

/** Text that says something: at least one character other than space, tab, CR and LF. */
export const notBlank = (maxLength: number) =>
  text(maxLength).refine((value) => /[^ \t\r\n]/.test(value), "must not be blank");

/** PostgreSQL's integer; 12.0 is 12, as JSON Schema counts it. */
export const integer = z
  .number({ error: WHOLE })
  .int(WHOLE)
  .min(INTEGER_MIN, WHOLE)
  .max(INTEGER_MAX, WHOLE);

/** The digits a decimal(precision, scale) holds, as api/openapi.json says them. */
export function decimalDigits(precision: number, scale: number): string {
  const whole = precision - scale;
  if (scale === 0) return `at most ${whole} digits and no point`;
  if (whole === 0) return `0 before the point and at most ${scale} digits after`;
  return `at most ${whole} digits before the point and ${scale} after`;
}

/** A decimal(precision, scale) as text: no leading zero, no more digits than the column holds. */
export function decimal(precision: number, scale: number) {
  const whole = precision - scale;
  const before = whole === 0 ? "0" : `(0|[1-9][0-9]{0,${whole - 1}})`;
  const after = scale > 0 ? `(\\.[0-9]{1,${scale}})?` : "";
  const message = `must be a decimal number as text: ${decimalDigits(precision, scale)}`;
  return z.string({ error: message }).regex(new RegExp(`^-?${before}${after}$`), message);
}

export const boolean = z.boolean({ error: "must be true or false" });

const DATE_MESSAGE = "must be a date: YYYY-MM-DD";

/** A day of the calendar, YYYY-MM-DD, as the Date of its midnight in UTC (Prisma's @db.Date). */
export const date = z
  .string({ error: DATE_MESSAGE })
  .refine(isDate, DATE_MESSAGE)
  .transform((value) => new Date(`${value}T00:00:00Z`));

function isDate(value: string): boolean {
  const midnight = new Date(`${value}T00:00:00Z`);
  // A day past its month's end is no Date, or rolls over to the next month.
  return (
    DATE.test(value) &&
    !Number.isNaN(midnight.getTime()) &&
    midnight.toISOString().startsWith(value)
  );
}

/** A filter's day, compared as text. */
export const dateText = z.string().refine(isDate, DATE_MESSAGE);

/** An instant with its offset, to the millisecond, as a Date. */
export const dateTime = z
  .string({ error: "must be an RFC 3339 date-time with its offset, to the millisecond" })
  .refine(
    (value) => DATE_TIME.test(value) && validDateTime(value),
    "must be an RFC 3339 date-time with its offset, to the millisecond",
  )
  .transform((value) => new Date(value));

/** Date.parse rolls 2024-02-30 over to March: the fields must read back as written. */
function validDateTime(value: string): boolean {
  const [day = "", time = ""] = value.split("T");
  const [hours, minutes, seconds] = time.slice(0, 8).split(":").map(Number);
  return (
    !Number.isNaN(Date.parse(value)) &&
    isDate(day) &&
    (hours ?? 24) < 24 &&
    (minutes ?? 60) < 60 &&
    (seconds ?? 60) < 60
  );
}

export const oneOf = <const Value extends string>(values: readonly [Value, ...Value[]]) =>
  z.enum(values, { error: `must be one of: ${values.join(", ")}` });

/** A reference: a UUID in any case, kept in lower case. */
export const id = z
  .string({ error: "must be a UUID" })
  .regex(UUID, "must be a UUID")
  .transform((value) => value.toLowerCase());

// The filter[<field>] parameters: each reads the query's text as its field's type.

/** A string field's filter: the rows whose value contains the text. */
export const containedText = (maxLength: number) =>
  text(maxLength).refine((value) => value.length > 0, `must be 1 to ${maxLength} characters`);

export const integerText = z
  .string()
  .regex(INTEGER, WHOLE)
  .transform(Number)
  .refine((value) => value >= INTEGER_MIN && value <= INTEGER_MAX, WHOLE);

export const booleanText = z
  .enum(["true", "false"], { error: "must be true or false" })
  .transform((value) => value === "true");
