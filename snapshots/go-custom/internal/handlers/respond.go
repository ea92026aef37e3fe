package handlers

import "github.com/gin-gonic/gin"

// respond writes body as JSON with status, or records err for the error middleware.
func respond(c *gin.Context, status int, body any, err error) {
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(status, body)
}
