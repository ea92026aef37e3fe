import { Router, type RequestHandler } from "express";

import { DELETE_ROLES, requireRole, WRITE_ROLES } from "../middleware/authorize";
import { allowMethods } from "../middleware/methods";
import { body, pathId, query } from "../middleware/validate";
import * as Schemas from "../models/media-asset.schemas";
import type { MediaAssetService } from "../services/media-asset.service";

export interface RouterDependencies {
  service: MediaAssetService;
  /** Admission, rate limit, authentication (src/app.ts): once a route and its method match. */
  guard: RequestHandler[];
  /** Reads the JSON body of POST, PUT and PATCH (middleware/body.ts). */
  jsonBody: RequestHandler;
}

/**
 * /api/v1/media-assets (Visiobook guidelines 3.1, api/openapi.json). Each route checks, in the
 * contract's order: method (405), load (503), rate limit (429), token (401), role (403), body
 * (400, 415, 413), then the request's values (400), and the service answers 404 and 409. Who may
 * call each is declared on it: reading needs only a valid token; writing, a role of WRITE_ROLES;
 * deleting, of DELETE_ROLES.
 */
export function mediaAssetsRouter(dependencies: RouterDependencies): Router {
  const { service, guard, jsonBody } = dependencies;
  const router = Router({ caseSensitive: true, strict: true });

  router
    .route("/api/v1/media-assets")
    .all(allowMethods("GET", "HEAD", "POST"), guard)
    .get(async (req, res) => {
      res.json(await service.list(query(Schemas.ListQuery, req)));
    })
    .post(requireRole(WRITE_ROLES), jsonBody, async (req, res) => {
      const created = await service.create(body(Schemas.Input, req));
      res.status(201).location(`${req.path}/${created.id}`).json(created);
    });

  router
    .route("/api/v1/media-assets/:id")
    .all(allowMethods("GET", "HEAD", "PUT", "PATCH", "DELETE"), guard)
    .get(async (req, res) => {
      res.json(await service.get(pathId(req.params.id)));
    })
    .put(requireRole(WRITE_ROLES), jsonBody, async (req, res) => {
      const id = pathId(req.params.id);
      res.json(await service.replace(id, body(Schemas.Input, req)));
    })
    .patch(requireRole(WRITE_ROLES), jsonBody, async (req, res) => {
      const id = pathId(req.params.id);
      res.json(await service.update(id, body(Schemas.Patch, req)));
    })
    .delete(requireRole(DELETE_ROLES), async (req, res) => {
      await service.delete(pathId(req.params.id));
      res.status(204).end();
    });

  return router;
}
