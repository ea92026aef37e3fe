package handlers

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// openAPIDocument describes the /api/v1 routes; a test checks it against the router and the
// models, so the two cannot drift apart.
//
//go:embed openapi.json
var openAPIDocument []byte

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

// registerDocs serves /api/docs (Swagger UI) and /api/docs/openapi.json.
func registerDocs(routes gin.IRoutes) {
	routes.GET("/api/docs", func(c *gin.Context) {
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(swaggerPage))
	})
	routes.GET("/api/docs/openapi.json", func(c *gin.Context) {
		c.Data(http.StatusOK, "application/json", openAPIDocument)
	})
}
