import request from "supertest";

/*
 * Valid request bodies of every resource, as clients write them, for the tests: each body has
 * new values (unique fields stay unique), and the rows it refers to are made first, through
 * the API.
 */

type App = Parameters<typeof request>[0];
export type Body = Record<string, unknown>;

let number = 0;

/** `sample <n>`, or n alone where that does not fit. */
function text(n: number, maxLength: number): string {
  const value = `sample ${n}`;
  return value.length <= maxLength ? value : String(n).slice(-maxLength);
}

/** How each field of each resource gets its value from the number of the body. */
const SAMPLES: Record<string, Record<string, (n: number) => unknown>> = {
  items: {
    name: (n) => text(n, 200),
    description: (n) => text(n, 10_000),
  },
};

/** The references of each resource: the field, and the resource whose row it names. */
const REFERENCES: Record<string, Record<string, string>> = {};

/** A new body of `resource` with every field; the rows it refers to are made first. */
export async function body(app: App, auth: string, resource: string): Promise<Body> {
  number += 1;
  const n = number;
  const values: Body = {};
  for (const [field, value] of Object.entries(SAMPLES[resource] ?? {})) values[field] = value(n);
  for (const [field, target] of Object.entries(REFERENCES[resource] ?? {})) {
    values[field] = (await create(app, auth, target)).id;
  }
  return values;
}

/** A row of `resource` made through the API: `fields` over a new body. */
export async function create(
  app: App,
  auth: string,
  resource: string,
  fields: Body = {},
): Promise<Body & { id: string }> {
  const values = { ...(await body(app, auth, resource)), ...fields };
  const response = await request(app)
    .post(`/api/v1/${resource}`)
    .set("authorization", auth)
    .send(values);
  if (response.status !== 201) throw new Error(`${resource}: ${response.status} ${response.text}`);
  // Timestamps keep milliseconds: no two rows share one.
  await new Promise((resolve) => setTimeout(resolve, 2));
  return response.body as Body & { id: string };
}
