import type { components } from "@/types/api";

type Schemas = components["schemas"];
type Parameters = components["parameters"];

/**
 * A resource the app manages, described once in its own file under src/resources/ and listed in
 * src/resources/index.ts. The router, the navigation, the API, the query cache and the screens
 * read it: the list's columns and orders, the form's inputs and the item's page come from its
 * fields.
 */
export interface ResourceDefinition {
  /** As the API names it, e.g. "media-assets": its route names and cache keys start with it. */
  readonly name: string;
  /** The backend's collection, e.g. "/api/v1/media-assets". */
  readonly apiPath: string;
  /** The app's path of its list, e.g. "/media-assets". */
  readonly route: string;
  /** How the user reads it, e.g. "Media assets" and "media asset". */
  readonly plural: string;
  readonly singular: string;
  /**
   * The field an item is known by: the list links it and filters on it, the item's page is
   * headed by it. None when the resource has no one-line text field: its items go by their id.
   */
  readonly title?: string;
  /** Every field but id, createdAt, updatedAt and version, in the order the screens show them. */
  readonly fields: Readonly<Record<string, Field>>;
  /** The orders the list offers, among its contract's `sort` values; the first is the default. */
  readonly sorts: readonly [SortChoice, ...SortChoice[]];
}

interface FieldBase {
  /** How the user reads it: the form's label, the list's column, the item's page. */
  readonly label: string;
  /** POST and PUT refuse an item without it. */
  readonly required: boolean;
  /** The list shows it in a column of its own. */
  readonly column: boolean;
}

/** `string` is one line (and the list can filter on it), `text` several. */
export interface TextField extends FieldBase {
  readonly kind: "string" | "text";
  /** In Unicode code points, as the API counts them. */
  readonly maxLength: number;
  readonly default?: string;
}

/** A whole number within PostgreSQL's `integer`. */
export interface IntegerField extends FieldBase {
  readonly kind: "integer";
  readonly minimum: number;
  readonly maximum: number;
  readonly default?: number;
}

/** An exact decimal, sent as text: at most `precision` digits, `scale` of them after the point. */
export interface DecimalField extends FieldBase {
  readonly kind: "decimal";
  readonly precision: number;
  readonly scale: number;
  readonly default?: string;
}

export interface BooleanField extends FieldBase {
  readonly kind: "boolean";
  readonly default?: boolean;
}

/** `date` is a calendar day (2026-11-30); `datetime` an instant, sent in RFC 3339. */
export interface DateField extends FieldBase {
  readonly kind: "date" | "datetime";
  readonly default?: string;
}

export interface EnumField<Value extends string = string> extends FieldBase {
  readonly kind: "enum";
  readonly values: readonly Value[];
  readonly default?: Value;
}

/** The id of an item of another resource of the same backend. */
export interface ReferenceField extends FieldBase {
  readonly kind: "reference";
  /** The resource referred to, by its name in src/resources. */
  readonly resource: string;
  /** The member the list's `include` embeds the referred item in, e.g. "author" for authorId. */
  readonly embedded: string;
}

export type Field =
  TextField | IntegerField | DecimalField | BooleanField | DateField | EnumField | ReferenceField;

/** One of the list's orders: a `sort` value of the contract, and how the user reads it. */
export interface SortChoice<Value extends string = string> {
  readonly value: Value;
  readonly title: string;
}

/** A field's value as the API sends and takes it: decimals, dates and ids are text. */
export type FieldValue = string | number | boolean | null;

/** One item, as the API sends it: the base fields (guidelines 2.1), then its own. */
export interface Resource {
  id: Schemas["Id"];
  createdAt: Schemas["Timestamp"];
  updatedAt: Schemas["Timestamp"];
  version: number;
  /** A field's value, or a referred item the list's `include` embedded. */
  readonly [field: string]: unknown;
}
/** What POST and PUT send: the whole item (a field left out gets its default, or null). */
export type ResourceInput = Record<string, FieldValue>;
/** One page of the list: `data` and `pagination`. */
export interface ResourcePage {
  data: Resource[];
  pagination: Schemas["Pagination"];
}
/** The list's query parameters as the API spells them: page, limit, sort, include, filter[...]. */
export interface ListQuery {
  page?: Parameters["Page"];
  limit?: Parameters["Limit"];
  sort?: string;
  include?: string;
  [filter: `filter[${string}]`]: string | number | boolean | undefined;
}

/** A resource's own contract types must fit these: each resource's file extends it. */
export interface ResourceTypes {
  item: Resource;
  input: ResourceInput;
  page: ResourcePage;
  query: ListQuery;
}

/** The kinds of field a member of type `Value` can be described as. */
type FieldFor<Value> = [Value] extends [boolean]
  ? BooleanField
  : [Value] extends [number]
    ? IntegerField
    : [Value] extends [string]
      ? string extends Value
        ? TextField | DecimalField | DateField | ReferenceField
        : EnumField<Value>
      : never;

/**
 * A resource's definition checked against its contract types: a field for each member of what
 * POST sends, of a kind its type can hold (an enum with the contract's values), a title among
 * them, and orders among the `sort` values of its list.
 */
export interface ResourceOf<Contract extends ResourceTypes> extends Omit<
  ResourceDefinition,
  "title" | "fields" | "sorts"
> {
  readonly title?: keyof Contract["input"] & string;
  readonly fields: {
    readonly [Member in keyof Required<Contract["input"]>]: FieldFor<
      NonNullable<Contract["input"][Member]>
    >;
  };
  readonly sorts: readonly [
    SortChoice<NonNullable<Contract["query"]["sort"]>>,
    ...SortChoice<NonNullable<Contract["query"]["sort"]>>[],
  ];
}

/** A resource's definition, type-checked against its contract, as the app lists it. */
export function defineResource<Contract extends ResourceTypes>(
  definition: ResourceOf<Contract>,
): ResourceDefinition {
  return definition;
}

/** What the list view asks for; services/resource.ts sends it as the API's query parameters. */
export interface ListParams {
  /** From 1. */
  page: number;
  /** Items per page, within the contract's 1 to 100. */
  limit: number;
  /** One of the resource's `sorts`. */
  sort: string;
  /** Items whose title contains this text, ignoring case; empty for all. */
  filter: string;
}
