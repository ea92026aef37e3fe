// Package services holds the business rules; handlers only translate HTTP.
package services

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/visiobook/media-service/internal/models"
	"github.com/visiobook/media-service/internal/utils"
)

// explain turns the store's known failures of an operation on an item (its id, and the
// request's body) into API errors; the others stay as they are (a 500).
func explain(err error, item, id string, body any) error {
	var taken *models.TakenError
	var missing *models.MissingRowError
	var referred *models.ReferredError
	switch {
	case errors.Is(err, models.ErrNotFound):
		return utils.NotFound(fmt.Sprintf("%s '%s' not found", item, id))
	case errors.As(err, &taken) && taken.Field == "name":
		return utils.Conflict(fmt.Sprintf("a %s named '%s' already exists", item, sentValue(body, taken.Field)))
	case errors.As(err, &taken):
		return utils.Conflict(fmt.Sprintf("a %s with %s '%s' already exists", item, taken.Field, sentValue(body, taken.Field)))
	case errors.As(err, &missing):
		// A conflict with the other resource's rows, not a malformed request: the same body
		// succeeds once that row exists.
		problem := utils.FieldProblem{Field: "body." + missing.Field, Message: "must be the id of an existing " + missing.Target}
		return utils.Conflict(fmt.Sprintf("no %s '%s'", missing.Target, strings.ToLower(sentValue(body, missing.Field))), problem)
	case errors.As(err, &referred):
		return utils.Conflict(fmt.Sprintf("%s '%s' is referred to by %s", item, id, referred.By))
	}
	return err
}

// sentValue is the value of the body's field with JSON name field, as the client wrote it.
func sentValue(body any, field string) string {
	value := reflect.ValueOf(body)
	if value.Kind() != reflect.Struct {
		return ""
	}
	for i := range value.NumField() {
		name, _, _ := strings.Cut(value.Type().Field(i).Tag.Get("json"), ",")
		if name != field {
			continue
		}
		sent := value.Field(i).Interface()
		if optional, ok := sent.(interface{ ValidationValue() any }); ok {
			sent = optional.ValidationValue()
		}
		held := reflect.ValueOf(sent)
		for held.Kind() == reflect.Pointer && !held.IsNil() {
			held = held.Elem()
		}
		if held.Kind() == reflect.String {
			return held.String()
		}
		// Numbers, booleans and instants as the API writes them.
		text, _ := json.Marshal(held.Interface())
		return strings.Trim(string(text), `"`)
	}
	return ""
}
