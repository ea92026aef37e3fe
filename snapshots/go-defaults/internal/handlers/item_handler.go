package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/visiobook/media-service/internal/middleware"
	"github.com/visiobook/media-service/internal/models"
	"github.com/visiobook/media-service/internal/services"
	"github.com/visiobook/media-service/internal/utils"
)

// ItemHandler serves /api/v1/items (guidelines 3.1).
type ItemHandler struct {
	service *services.ItemService
	// The largest request body accepted, in bytes (REQUEST_BODY_MAX_BYTES).
	bodyLimit int64
}

// Register adds the routes of the resource to routes (a group at /api/v1/items, behind
// authentication), each with the roles it needs: reading needs none. Every GET path answers HEAD
// too (RFC 9110); the server sends no body with it.
func (h *ItemHandler) Register(routes gin.IRoutes) {
	// Checked before the handler reads the body or the id: a caller without the role gets 403
	// whatever it sent.
	mayWrite := middleware.RequireRole(middleware.WriteRoles...)
	mayDelete := middleware.RequireRole(middleware.DeleteRoles...)
	routes.GET("", h.list)
	routes.HEAD("", h.list)
	routes.POST("", mayWrite, h.create)
	routes.GET("/:id", h.get)
	routes.HEAD("/:id", h.get)
	routes.PUT("/:id", mayWrite, h.replace)
	routes.PATCH("/:id", mayWrite, h.update)
	routes.DELETE("/:id", mayDelete, h.delete)
}

func (h *ItemHandler) list(c *gin.Context) {
	query, err := readListParams(c, models.ItemList, "createdAt:desc")
	if err != nil {
		_ = c.Error(err)
		return
	}
	page, err := h.service.List(c.Request.Context(), query)
	respond(c, http.StatusOK, page, err)
}

func (h *ItemHandler) get(c *gin.Context) {
	id, problems := readID(c)
	if problems != nil {
		_ = c.Error(utils.BadRequest(problems...))
		return
	}
	found, err := h.service.Get(c.Request.Context(), id)
	respond(c, http.StatusOK, found, err)
}

func (h *ItemHandler) create(c *gin.Context) {
	var input models.ItemInput
	if err := bindJSON(c, h.bodyLimit, &input, nil); err != nil {
		_ = c.Error(err)
		return
	}
	created, err := h.service.Create(c.Request.Context(), input)
	if err == nil {
		c.Header("Location", c.FullPath()+"/"+created.ID)
	}
	respond(c, http.StatusCreated, created, err)
}

func (h *ItemHandler) replace(c *gin.Context) {
	var input models.ItemInput
	id, problems := readID(c)
	if err := bindJSON(c, h.bodyLimit, &input, problems); err != nil {
		_ = c.Error(err)
		return
	}
	replaced, err := h.service.Replace(c.Request.Context(), id, input)
	respond(c, http.StatusOK, replaced, err)
}

func (h *ItemHandler) update(c *gin.Context) {
	var patch models.ItemPatch
	id, problems := readID(c)
	if err := bindJSON(c, h.bodyLimit, &patch, problems); err != nil {
		_ = c.Error(err)
		return
	}
	updated, err := h.service.Update(c.Request.Context(), id, patch)
	respond(c, http.StatusOK, updated, err)
}

func (h *ItemHandler) delete(c *gin.Context) {
	id, problems := readID(c)
	if problems != nil {
		_ = c.Error(utils.BadRequest(problems...))
		return
	}
	if err := h.service.Delete(c.Request.Context(), id); err != nil {
		_ = c.Error(err)
		return
	}
	c.Status(http.StatusNoContent)
}
