import { readFileSync } from "node:fs";

import { Ajv2020, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";

import { OPENAPI_PATH } from "../../src/controllers/docs.controller";

/**
 * The contract tier (guidelines 4.3): a response is judged against api/openapi.json, the
 * document every Visiobook backend serves. The status must be documented for the operation,
 * the documented required headers present and valid, and the body valid against the documented
 * schema (JSON Schema 2020-12, formats asserted).
 */

interface Reference {
  $ref: string;
}
interface Header {
  required?: boolean;
}
interface Response {
  headers?: Record<string, Header | Reference>;
  content?: Record<string, unknown>;
}
interface Operation {
  responses: Record<string, Response | Reference>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
}

/** What a test got back, from supertest or from node:http. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  text?: string;
}

const DOCUMENT_ID = "https://visiobook.invalid/openapi.json";
export const document = JSON.parse(readFileSync(OPENAPI_PATH, "utf8")) as Document;

const ajv = new Ajv2020({
  allErrors: true,
  allowUnionTypes: true, // "type": ["string", "null"]
  strictTypes: false, // the error responses narrow Error with allOf overlays that carry no type
});
addFormats(ajv);
// The document is not a schema, but its $refs point into it (#/components/...): register it
// whole, its OpenAPI keywords declared so that strict mode lets them through unjudged.
for (const keyword of ["openapi", "info", "tags", "paths", "components"]) ajv.addKeyword(keyword);
ajv.addSchema(document, DOCUMENT_ID);

const validators = new Map<string, ValidateFunction>();

/** The validator of the schema at `pointer` (a JSON pointer into the document). */
function schemaAt(pointer: string): ValidateFunction {
  let validate = validators.get(pointer);
  if (validate === undefined) {
    validate = ajv.compile({ $ref: `${DOCUMENT_ID}#${pointer}` });
    validators.set(pointer, validate);
  }
  return validate;
}

const escape = (part: string): string => part.replaceAll("~", "~0").replaceAll("/", "~1");

/** Follows a `$ref` inside the document; returns the object and its pointer. */
function resolve<T>(value: T | Reference, pointer: string): [T, string] {
  if (typeof value === "object" && value !== null && "$ref" in value) {
    const target = value.$ref.slice(1); // "#/components/responses/NotFound"
    const found = target
      .split("/")
      .slice(1)
      .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], document);
    return [found as T, target];
  }
  return [value, pointer];
}

function errorsOf(validate: ValidateFunction, value: unknown, where: string): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map(
    (error) => `${where}${error.instancePath} ${error.message ?? "is invalid"}`,
  );
}

/**
 * Every way `answer` breaks the document for `method` on `template` (a path of the document,
 * `/api/v1/.../{id}`); empty when it keeps it. HEAD is judged as its GET, without a body.
 */
export function contractViolations(method: string, template: string, answer: Answer): string[] {
  const verb = method === "HEAD" ? "get" : method.toLowerCase();
  const operation = document.paths[template]?.[verb];
  if (operation === undefined) return [`${method} ${template} is not in the document`];
  const documented = operation.responses[String(answer.status)];
  if (documented === undefined) {
    return [`${answer.status} is not documented for ${method} ${template}`];
  }
  const operationPointer = `/paths/${escape(template)}/${verb}/responses/${answer.status}`;
  const [response, pointer] = resolve(documented, operationPointer);

  const problems: string[] = [];
  for (const [name, declared] of Object.entries(response.headers ?? {})) {
    const [header, headerPointer] = resolve(declared, `${pointer}/headers/${escape(name)}`);
    const value = answer.headers[name.toLowerCase()];
    if (value === undefined) {
      if (header.required === true) problems.push(`header ${name} is missing`);
      continue;
    }
    problems.push(...errorsOf(schemaAt(`${headerPointer}/schema`), value, `header ${name}`));
  }

  const mediaTypes = Object.keys(response.content ?? {});
  const contentType = String(answer.headers["content-type"] ?? "");
  if (mediaTypes.length === 0 || method === "HEAD") {
    if (answer.text) problems.push(`a body where the document has none: ${answer.text}`);
    return problems;
  }
  const mediaType = mediaTypes.find((type) => contentType.startsWith(type));
  if (mediaType === undefined) {
    problems.push(`content-type ${contentType} is not one of ${mediaTypes.join(", ")}`);
  } else if (mediaType === "application/json") {
    const schema = schemaAt(`${pointer}/content/${escape(mediaType)}/schema`);
    problems.push(...errorsOf(schema, answer.body, "body"));
  }
  return problems;
}

/**
 * The answers the document describes only in words (its description): 404 for a path it does
 * not list, 405 with Allow for a method a path does not list. Both carry the Error envelope.
 */
export function errorViolations(answer: Answer): string[] {
  const problems = errorsOf(schemaAt("/components/schemas/Error"), answer.body, "body");
  const correlationId = schemaAt("/components/headers/CorrelationId/schema");
  problems.push(...errorsOf(correlationId, answer.headers["x-correlation-id"], "header"));
  if (answer.status === 405 && answer.headers.allow === undefined) {
    problems.push("a 405 without Allow");
  }
  return problems;
}
