import { contractViolations, errorViolations, type Answer } from "./openapi";

const ITEM = "/api/v1/items/{id}";
const HEADERS = { "x-correlation-id": "abc", "content-type": "application/json; charset=utf-8" };
const BODY = {
  id: "6c33cdb3-6ff3-4f7d-b888-791d24270dd8",
  name: "first",
  description: null,
  createdAt: "2026-11-28T09:30:00.000Z",
  updatedAt: "2026-11-28T09:30:00.000Z",
  version: 1,
};
const answer = (changes: Partial<Answer>): Answer => ({
  status: 200,
  headers: HEADERS,
  body: BODY,
  ...changes,
});

/** The contract helper itself: it passes a good answer and names what is wrong with a bad one. */
describe("contractViolations", () => {
  it("passes an answer that keeps the document", () => {
    expect(contractViolations("GET", ITEM, answer({}))).toEqual([]);
  });

  it("names every way an answer breaks the document", () => {
    const cases: [Partial<Answer>, RegExp][] = [
      [{ status: 418 }, /418 is not documented/],
      [{ headers: { "content-type": "application/json" } }, /x-correlation-id is missing/],
      [{ body: { ...BODY, createdAt: "2026-11-28T09:30:00Z" } }, /createdAt must match pattern/],
      [{ body: { ...BODY, id: "42" } }, /id must match format "uuid"/],
      [{ body: { ...BODY, extra: true } }, /must NOT have additional properties/],
      [{ status: 401, body: { error: {} } }, /WWW-Authenticate is missing/],
      [{ headers: { ...HEADERS, "content-type": "text/html" } }, /content-type text\/html/],
    ];
    for (const [changes, problem] of cases) {
      expect(contractViolations("GET", ITEM, answer(changes))).toContainEqual(
        expect.stringMatching(problem),
      );
    }
    expect(contractViolations("DELETE", ITEM, answer({ status: 204, text: "{}" }))).toEqual([
      "a body where the document has none: {}",
    ]);
    expect(contractViolations("GET", "/nowhere", answer({}))).toEqual([
      "GET /nowhere is not in the document",
    ]);
  });

  it("requires the Error envelope and Allow on the answers the document only describes", () => {
    expect(errorViolations(answer({ status: 405, body: BODY }))).toEqual(
      expect.arrayContaining(["a 405 without Allow", expect.stringMatching(/'error'/)]),
    );
  });
});
