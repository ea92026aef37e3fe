import type { ResourceDefinition } from "@/types/resource";

/**
 * A resource of the tests only, registered beside the app's own by two-resources.test.ts: its
 * name is longer than any a service's resource can have, so the two never clash.
 */
export const sketchResource: ResourceDefinition = {
  name: "sketches-of-the-unit-tests",
  apiPath: "/api/v1/sketches-of-the-unit-tests",
  route: "/sketches-of-the-unit-tests",
  plural: "Sketches of the unit tests",
  singular: "sketch of the unit tests",
};
