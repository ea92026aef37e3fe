import type { ResourceDefinition } from "@/types/resource";

import { itemResource } from "./items";

type Resources = readonly [ResourceDefinition, ...ResourceDefinition[]];

/**
 * Every resource the app manages, each defined in its own file beside this one: the router
 * gives each its pages, the navigation shows them in this order, and `/` opens the first.
 */
export const RESOURCES: Resources = [itemResource];
