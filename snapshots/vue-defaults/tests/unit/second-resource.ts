import type { ResourceDefinition } from "@/types/resource";

/**
 * A resource of the tests only, with a field of every kind, registered beside the app's own by
 * the tests that need it: its name is longer than any a service's resource can have, so the two
 * never clash. Its reference chooses among the app's first resource.
 */
export const sketchResource: ResourceDefinition = {
  name: "sketches-of-the-unit-tests",
  apiPath: "/api/v1/sketches-of-the-unit-tests",
  route: "/sketches-of-the-unit-tests",
  plural: "Sketches of the unit tests",
  singular: "sketch of the unit tests",
  title: "name",
  fields: {
    name: { kind: "string", label: "Name", required: true, column: true, maxLength: 20 },
    notes: { kind: "text", label: "Notes", required: false, column: false, maxLength: 50 },
    pages: {
      kind: "integer",
      label: "Pages",
      required: false,
      column: true,
      minimum: -2_147_483_648,
      maximum: 2_147_483_647,
      default: 3,
    },
    price: {
      kind: "decimal",
      label: "Price",
      required: false,
      column: true,
      precision: 5,
      scale: 2,
    },
    inked: { kind: "boolean", label: "Inked", required: true, column: true, default: true },
    drawnOn: { kind: "date", label: "Drawn on", required: false, column: false },
    shownAt: { kind: "datetime", label: "Shown at", required: false, column: false },
    status: {
      kind: "enum",
      label: "Status",
      required: true,
      column: false,
      values: ["draft", "final"],
      default: "draft",
    },
    subjectId: {
      kind: "reference",
      label: "Subject",
      required: false,
      column: true,
      resource: "items",
      embedded: "subject",
    },
  },
  sorts: [
    { value: "createdAt:desc", title: "Newest first" },
    { value: "name:asc", title: "Name A–Z" },
  ],
};
