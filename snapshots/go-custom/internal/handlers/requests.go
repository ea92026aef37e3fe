package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"

	"github.com/visiobook/asset-library/internal/models"
	"github.com/visiobook/asset-library/internal/utils"
)

// Deep pages cost the database a long OFFSET scan; clients past this should filter instead.
const (
	maxPage  = 100_000
	maxLimit = 100
)

var validate = newValidator()

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	// Problems name fields as clients spell them: by their JSON names.
	v.RegisterTagNameFunc(func(field reflect.StructField) string {
		name, _, _ := strings.Cut(field.Tag.Get("json"), ",")
		return name
	})
	// Not blank: at least one character other than space, tab, CR and LF (the API's rule,
	// narrower than Unicode's white space).
	mustRegister(v, "notblank", func(field validator.FieldLevel) bool {
		return strings.Trim(field.Field().String(), " \t\r\n") != ""
	})
	// PostgreSQL cannot store NUL in text.
	mustRegister(v, "nonul", func(field validator.FieldLevel) bool {
		return field.Field().Kind() != reflect.String || !strings.ContainsRune(field.Field().String(), 0)
	})
	// Optional fields are validated by their value, and skipped (omitnil) when absent.
	v.RegisterCustomTypeFunc(func(field reflect.Value) any {
		return field.Interface().(interface{ ValidationValue() any }).ValidationValue()
	}, models.Optional[string]{}, models.Optional[*string]{})
	return v
}

func mustRegister(v *validator.Validate, tag string, check validator.Func) {
	if err := v.RegisterValidation(tag, check); err != nil {
		panic(err)
	}
}

var uuidSyntax = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// readID returns the path's id in lower case, or the problem with it: a hyphenated UUID, in
// any case, is the only form accepted.
func readID(c *gin.Context) (string, []utils.FieldProblem) {
	id := c.Param("id")
	if !uuidSyntax.MatchString(id) {
		problem := utils.FieldProblem{Field: "path.id", Message: "must be a UUID"}
		return "", []utils.FieldProblem{problem}
	}
	return strings.ToLower(id), nil
}

// bindJSON reads the request body into target with the API's checks, in the API's order: a
// body is required (400), it must be UTF-8 application/json (415) of at most limit bytes (413),
// hold one JSON object (400); then the problems found before (the path's) are reported, or else
// those of its members, which must be fields of target with valid values (400).
func bindJSON(c *gin.Context, limit int64, target any, problems []utils.FieldProblem) error {
	request := c.Request
	// Neither Content-Length nor chunked (which is -1).
	if request.ContentLength == 0 {
		return utils.BadRequest(utils.FieldProblem{Field: "body", Message: "is required"})
	}
	if !isJSON(request.Header) {
		return utils.UnsupportedMediaType()
	}
	if request.ContentLength > limit {
		return utils.ContentTooLarge(limit)
	}
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, request.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return utils.ContentTooLarge(limit)
	}
	if err != nil {
		return utils.BadRequest(utils.FieldProblem{Field: "body", Message: "could not be read"})
	}
	members, problem := jsonObject(raw)
	if problem != "" {
		return utils.BadRequest(utils.FieldProblem{Field: "body", Message: problem})
	}
	// A malformed id is reported alone: the request names no item, so its body is not judged.
	if len(problems) > 0 {
		return utils.BadRequest(problems...)
	}
	if problems := decodeMembers(members, target); len(problems) > 0 {
		return utils.BadRequest(problems...)
	}
	return nil
}

// isJSON accepts application/json in UTF-8 (the charset may be left out) with no content
// encoding but identity.
func isJSON(header http.Header) bool {
	mediaType, parameters, err := mime.ParseMediaType(header.Get("Content-Type"))
	if err != nil || mediaType != "application/json" {
		return false
	}
	if charset, given := parameters["charset"]; given && !strings.EqualFold(charset, "utf-8") {
		return false
	}
	for _, value := range header.Values("Content-Encoding") {
		for coding := range strings.SplitSeq(value, ",") {
			if coding = strings.TrimSpace(coding); coding != "" && !strings.EqualFold(coding, "identity") {
				return false
			}
		}
	}
	return true
}

// jsonObject splits a body into the members of its one JSON object, or says what is wrong.
func jsonObject(raw []byte) (map[string]json.RawMessage, string) {
	if !utf8.Valid(raw) {
		return nil, "must be UTF-8"
	}
	decoder := json.NewDecoder(bytes.NewReader(raw))
	var members map[string]json.RawMessage
	err := decoder.Decode(&members)
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &syntaxErr) || errors.Is(err, io.ErrUnexpectedEOF):
		return nil, "is not valid JSON"
	case err != nil || members == nil:
		return nil, "must be a JSON object"
	}
	if _, err := decoder.Token(); err != io.EOF {
		return nil, "must hold a single JSON object"
	}
	return members, ""
}

// decodeMembers decodes each member of the body into the target's field of that JSON name, then
// validates target. Names must be spelled exactly (encoding/json would ignore case), and an
// unpaired UTF-16 surrogate (\ud800), which encoding/json would turn into U+FFFD, is refused.
func decodeMembers(members map[string]json.RawMessage, target any) []utils.FieldProblem {
	fields := jsonFields(target)
	var problems []utils.FieldProblem
	for _, name := range slices.Sorted(maps.Keys(members)) {
		field, known := fields[name]
		if !known {
			problems = append(problems, utils.FieldProblem{Field: "body." + name, Message: "is not a known field"})
			continue
		}
		if hasUnpairedSurrogate(members[name]) {
			problems = append(problems, utils.FieldProblem{Field: "body." + name, Message: "must not contain unpaired UTF-16 surrogates"})
			continue
		}
		var typeErr *json.UnmarshalTypeError
		if err := json.Unmarshal(members[name], field.Addr().Interface()); errors.As(err, &typeErr) {
			problems = append(problems, utils.FieldProblem{Field: "body." + name, Message: "must be a JSON " + jsonType(typeErr.Type)})
		} else if err != nil {
			problems = append(problems, utils.FieldProblem{Field: "body." + name, Message: "is invalid"})
		}
	}
	if len(problems) > 0 {
		return problems
	}
	return validationProblems(validate.Struct(target))
}

// jsonFields maps the JSON names of target's fields to the fields (target points to a struct).
func jsonFields(target any) map[string]reflect.Value {
	structValue := reflect.ValueOf(target).Elem()
	fields := make(map[string]reflect.Value, structValue.NumField())
	for i := range structValue.NumField() {
		name, _, _ := strings.Cut(structValue.Type().Field(i).Tag.Get("json"), ",")
		fields[name] = structValue.Field(i)
	}
	return fields
}

// hasUnpairedSurrogate tells whether a JSON value (valid JSON: a backslash only ever starts an
// escape inside a string) escapes a UTF-16 surrogate that is not part of a pair.
func hasUnpairedSurrogate(value []byte) bool {
	for i := 0; i < len(value); i++ {
		if value[i] != '\\' {
			continue
		}
		if value[i+1] != 'u' {
			i++ // a one-character escape, such as \\ or \"
			continue
		}
		unit := escapedUnit(value[i+2 : i+6])
		switch {
		case unit >= 0xD800 && unit <= 0xDBFF: // high: a low one must follow
			next := value[i+6:]
			if len(next) < 6 || next[0] != '\\' || next[1] != 'u' {
				return true
			}
			if low := escapedUnit(next[2:6]); low < 0xDC00 || low > 0xDFFF {
				return true
			}
			i += 11
		case unit >= 0xDC00 && unit <= 0xDFFF: // low, without a high one before it
			return true
		default:
			i += 5
		}
	}
	return false
}

func escapedUnit(hex []byte) uint64 {
	unit, _ := strconv.ParseUint(string(hex), 16, 16)
	return unit
}

func jsonType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Pointer:
		return jsonType(t.Elem()) + " or null"
	case reflect.Struct, reflect.Map:
		return "object"
	}
	return "number"
}

func validationProblems(err error) []utils.FieldProblem {
	var failures validator.ValidationErrors
	if !errors.As(err, &failures) {
		return nil
	}
	problems := make([]utils.FieldProblem, 0, len(failures))
	for _, failure := range failures {
		message := "is invalid"
		switch failure.Tag() {
		case "notblank":
			message = "must be a string that is not blank"
		case "max":
			message = "must be at most " + failure.Param() + " characters"
		case "nonul":
			message = "must not contain NUL characters"
		}
		problems = append(problems, utils.FieldProblem{Field: "body." + failure.Field(), Message: message})
	}
	return problems
}

// readListParams reads page, limit, sort and filter[name] (guidelines 3.1), e.g.
// ?page=2&limit=50&sort=name:desc&filter[name]=cat; sortable maps the API's sort fields to
// columns. A parameter given twice is refused: which one wins would be the framework's choice.
func readListParams(c *gin.Context, sortable map[string]string, defaultSort string) (models.ListQuery, error) {
	query := c.Request.URL.Query()
	var problems []utils.FieldProblem
	params := models.ListQuery{
		Page:  intParam(query, "page", 1, maxPage, &problems),
		Limit: intParam(query, "limit", 10, maxLimit, &problems),
	}

	sort, given := param(query, "sort", &problems)
	if !given {
		sort = defaultSort
	}
	field, direction, hasDirection := strings.Cut(sort, ":")
	column, known := sortable[field]
	if !known || (hasDirection && direction != "asc" && direction != "desc") {
		problems = append(problems, utils.FieldProblem{
			Field:   "query.sort",
			Message: "must be a field (" + strings.Join(slices.Sorted(maps.Keys(sortable)), ", ") + ") optionally followed by :asc or :desc",
		})
	}
	params.SortColumn, params.Direction = column, models.Ascending
	if direction == "desc" {
		params.Direction = models.Descending
	}

	filter, given := param(query, "filter[name]", &problems)
	length := utf8.RuneCountInString(filter)
	if given && (!utf8.ValidString(filter) || length < 1 || length > 200 || strings.ContainsRune(filter, 0)) {
		problems = append(problems, utils.FieldProblem{
			Field:   "query.filter[name]",
			Message: "must be 1 to 200 characters, without NUL",
		})
	}
	params.NameFilter = filter

	if len(problems) > 0 {
		return models.ListQuery{}, utils.BadRequest(problems...)
	}
	return params, nil
}

// param returns a query parameter's value and whether it was given once; given twice is a
// problem.
func param(query url.Values, name string, problems *[]utils.FieldProblem) (string, bool) {
	values := query[name]
	if len(values) > 1 {
		*problems = append(*problems, utils.FieldProblem{Field: "query." + name, Message: "must be given once"})
	}
	if len(values) != 1 {
		return "", false
	}
	return values[0], true
}

var digits = regexp.MustCompile(`^[0-9]+$`)

// intParam reads a whole number from 1 to maximum written in decimal digits only (no sign,
// point or space), or fallback when the parameter is not given.
func intParam(query url.Values, name string, fallback, maximum int, problems *[]utils.FieldProblem) int {
	text, given := param(query, name, problems)
	if !given {
		return fallback
	}
	value, err := strconv.Atoi(text)
	if !digits.MatchString(text) || err != nil || value < 1 || value > maximum {
		*problems = append(*problems, utils.FieldProblem{
			Field:   "query." + name,
			Message: "must be a whole number from 1 to " + strconv.Itoa(maximum),
		})
	}
	return value
}
