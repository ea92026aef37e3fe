import { readFileSync } from "node:fs";
import path from "node:path";

import { Router } from "express";
import swaggerUi from "swagger-ui-express";

import { allowMethods } from "../middleware/methods";

// The API contract, written once for every Visiobook backend: api/openapi.json at the project
// root, next to src/ in the repository and next to dist/ in the image.
export const OPENAPI_PATH = path.resolve(__dirname, "../../api/openapi.json");

// Swagger UI's own page links its assets relatively, which works only under /api/docs/; this one
// links them from /api/docs/, so the page is /api/docs itself.
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>API documentation</title>
    <link rel="stylesheet" href="/api/docs/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/api/docs/swagger-ui-bundle.js"></script>
    <script>SwaggerUIBundle({ url: "/api/docs/openapi.json", dom_id: "#swagger-ui" });</script>
  </body>
</html>
`;

/** /api/docs (Swagger UI), /api/docs/openapi.json (the document's bytes) and the UI's assets. */
export function docsRouter(document: Buffer = readFileSync(OPENAPI_PATH)): Router {
  const router = Router({ caseSensitive: true, strict: true });
  router
    .route("/api/docs")
    .all(allowMethods("GET", "HEAD"))
    .get((_req, res) => {
      res.type("html").send(PAGE);
    });
  router
    .route("/api/docs/openapi.json")
    .all(allowMethods("GET", "HEAD"))
    .get((_req, res) => {
      res.type("application/json").send(document);
    });
  router.use("/api/docs", swaggerUi.serveWithOptions({ redirect: false }));
  return router;
}
