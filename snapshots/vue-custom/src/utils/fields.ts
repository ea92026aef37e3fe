import type {
  Field,
  FieldValue,
  Resource,
  ResourceDefinition,
  ResourceInput,
} from "@/types/resource";

/**
 * A form's values, one per field: text for what the user types (numbers, decimals, dates
 * too), true or false for a boolean, a value or null for an enum and a reference.
 */
export type FormValues = Record<string, string | boolean | null>;

/** A resource's fields, in the order its file lists them. */
export function fieldsOf({ fields }: ResourceDefinition): [string, Field][] {
  return Object.entries(fields);
}

/** How the user knows an item: its title, else its id. */
export function itemTitle({ title }: ResourceDefinition, item: Resource): string {
  const value = title === undefined ? null : item[title];
  return typeof value === "string" && value.trim() !== "" ? value : item.id;
}

/** The API counts Unicode code points: an emoji is one character, not two UTF-16 units. */
export function characters(text: string): number {
  return [...text].length;
}

const twoDigits = (n: number): string => String(n).padStart(2, "0");

/** An RFC 3339 instant as a datetime-local input holds it: the user's time, to the millisecond. */
export function toLocalInput(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return "";
  const day = `${at.getFullYear()}-${twoDigits(at.getMonth() + 1)}-${twoDigits(at.getDate())}`;
  const time = `${twoDigits(at.getHours())}:${twoDigits(at.getMinutes())}`;
  const seconds = `${twoDigits(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, "0")}`;
  return `${day}T${time}:${seconds}`;
}

/** A datetime-local input's value (the user's time) as the API takes it, in UTC. */
export function fromLocalInput(local: string): string {
  return new Date(local).toISOString();
}

function startValue(field: Field, value: unknown): string | boolean | null {
  if (field.kind === "boolean") return typeof value === "boolean" ? value : false;
  const text = typeof value === "string" || typeof value === "number" ? String(value) : null;
  if (field.kind === "enum" || field.kind === "reference") return text;
  if (text === null) return "";
  return field.kind === "datetime" ? toLocalInput(text) : text;
}

/** The value a new item starts with: the contract's default (a reference has none). */
function defaultOf(field: Field): FieldValue | undefined {
  return field.kind === "reference" ? undefined : field.default;
}

/** The form's values for `item`, or for a new one: each field's default, else empty. */
export function formValues(resource: ResourceDefinition, item?: Resource): FormValues {
  return Object.fromEntries(
    fieldsOf(resource).map(([name, field]) => [
      name,
      startValue(field, item === undefined ? defaultOf(field) : item[name]),
    ]),
  );
}

function sentValue(field: Field, value: string | boolean | null): FieldValue {
  if (typeof value !== "string") return value;
  // One-line text loses the spaces around it, as the user expects; several lines keep theirs.
  const text = field.kind === "text" ? value : value.trim();
  if (text === "") return null;
  if (field.kind === "integer") return Number(text);
  if (field.kind === "datetime") return fromLocalInput(text);
  return text;
}

/** What POST or PUT sends for the form's values: an empty field is null. */
export function inputOf(resource: ResourceDefinition, values: FormValues): ResourceInput {
  return Object.fromEntries(
    fieldsOf(resource).map(([name, field]) => [name, sentValue(field, values[name] ?? null)]),
  );
}

const WHOLE_NUMBER = /^-?\d+$/;

function decimalPattern({ precision, scale }: { precision: number; scale: number }): RegExp {
  const whole = precision - scale;
  const before = whole === 0 ? "0" : `(0|[1-9]\\d{0,${whole - 1}})`;
  const after = scale > 0 ? `(\\.\\d{1,${scale}})?` : "";
  return new RegExp(`^-?${before}${after}$`);
}

function decimalDigits({ precision, scale }: { precision: number; scale: number }): string {
  const whole = precision - scale;
  if (scale === 0) return `at most ${whole} digits and no point`;
  if (whole === 0) return `0 before the point and at most ${scale} digits after`;
  return `at most ${whole} digits before the point and ${scale} after`;
}

/** A calendar day as YYYY-MM-DD that exists (not February 30th). */
function isDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const day = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(text);
}

/** What is wrong with a field's value in the form, as the user is told; null when nothing. */
export function problemOf(field: Field, value: string | boolean | null): string | null {
  const text = typeof value === "string" ? value : "";
  const empty = value === null || (typeof value === "string" && value.trim() === "");
  if (empty) return field.required ? `${field.label} is required` : null;
  switch (field.kind) {
    case "string":
    case "text":
      return characters(field.kind === "string" ? text.trim() : text) > field.maxLength
        ? `At most ${field.maxLength.toLocaleString("en")} characters`
        : null;
    case "integer": {
      const number = Number(text.trim());
      if (!WHOLE_NUMBER.test(text.trim())) return `${field.label} must be a whole number`;
      return number < field.minimum || number > field.maximum
        ? `${field.label} must be between ${field.minimum} and ${field.maximum}`
        : null;
    }
    case "decimal":
      return decimalPattern(field).test(text.trim())
        ? null
        : `${field.label} must be a number with ${decimalDigits(field)}`;
    case "date":
      return isDay(text) ? null : `${field.label} must be a date`;
    case "datetime":
      return Number.isNaN(Date.parse(text)) ? `${field.label} must be a date and time` : null;
    case "enum":
      return field.values.includes(text) ? null : `${field.label} must be one of its values`;
    default:
      return null;
  }
}
