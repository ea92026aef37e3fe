package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/visiobook/asset-library/api"
)

// The Swagger UI page loads its assets from the jsDelivr CDN, pinned to a major version.
const swaggerPage = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>API documentation</title>
  <link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
  <script>SwaggerUIBundle({ url: "/api/docs/openapi.json", dom_id: "#swagger-ui" });</script>
</body>
</html>
`

// registerDocs serves /api/docs (Swagger UI) and /api/docs/openapi.json, the API contract
// (api/openapi.json, embedded in the binary) as it is written.
func registerDocs(routes gin.IRoutes) {
	page := func(c *gin.Context) {
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(swaggerPage))
	}
	routes.GET("/api/docs", page)
	routes.HEAD("/api/docs", page)

	document := func(c *gin.Context) {
		c.Data(http.StatusOK, "application/json", api.OpenAPI)
	}
	routes.GET("/api/docs/openapi.json", document)
	routes.HEAD("/api/docs/openapi.json", document)
}
