package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"math"
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
	// A decimal(precision, scale) as text, its parameter "<precision> <scale>".
	mustRegister(v, "decimal", func(field validator.FieldLevel) bool {
		precision, scale := decimalSize(field.Param())
		return models.DecimalPattern(precision, scale).MatchString(field.Field().String())
	})
	mustRegister(v, "date", func(field validator.FieldLevel) bool {
		return models.IsDate(field.Field().String())
	})
	// A reference: a UUID in any case (validator's own uuid takes lower case only).
	mustRegister(v, "id", func(field validator.FieldLevel) bool {
		return models.IsID(field.Field().String())
	})
	// Optional fields are validated by their value, and skipped (omitnil) when absent.
	v.RegisterCustomTypeFunc(func(field reflect.Value) any {
		return field.Interface().(interface{ ValidationValue() any }).ValidationValue()
	},
		models.Optional[string]{}, models.Optional[*string]{},
		models.Optional[int32]{}, models.Optional[*int32]{},
		models.Optional[bool]{}, models.Optional[*bool]{},
		models.Optional[models.Date]{}, models.Optional[*models.Date]{},
		models.Optional[models.Timestamp]{}, models.Optional[*models.Timestamp]{},
	)
	return v
}

// decimalSize reads the parameter of the `decimal` rule, e.g. "12 2".
func decimalSize(param string) (precision, scale int) {
	before, after, _ := strings.Cut(param, " ")
	precision, _ = strconv.Atoi(before)
	scale, _ = strconv.Atoi(after)
	return precision, scale
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
// validates target. Names must be spelled exactly (encoding/json would ignore case); null is
// refused where the field cannot hold it; an integer may be written as any whole JSON number
// (12.0, as JSON Schema counts it); and an unpaired UTF-16 surrogate (\ud800), which
// encoding/json would turn into U+FFFD, is refused.
func decodeMembers(members map[string]json.RawMessage, target any) []utils.FieldProblem {
	fields := jsonFields(target)
	var problems []utils.FieldProblem
	for _, name := range slices.Sorted(maps.Keys(members)) {
		field, known := fields[name]
		if message := decodeMember(members[name], field, known); message != "" {
			problems = append(problems, utils.FieldProblem{Field: "body." + name, Message: message})
		}
	}
	// Then the rules of the members that decoded (one problem per member, like every backend).
	for _, problem := range validationProblems(validate.Struct(target)) {
		if !slices.ContainsFunc(problems, func(found utils.FieldProblem) bool { return found.Field == problem.Field }) {
			problems = append(problems, problem)
		}
	}
	return problems
}

// decodeMember decodes one member's value into field, or says what is wrong with it.
func decodeMember(value json.RawMessage, field reflect.Value, known bool) string {
	switch {
	case !known:
		return "is not a known field"
	case hasUnpairedSurrogate(value):
		return "must not contain unpaired UTF-16 surrogates"
	case string(value) == "null" && !acceptsNull(field):
		return "must not be null"
	}
	err := json.Unmarshal(value, field.Addr().Interface())
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && isInteger(typeErr.Type) {
		if whole, ok := wholeNumber(value); ok {
			err = json.Unmarshal(whole, field.Addr().Interface())
		}
	}
	var invalid models.InvalidValue
	switch {
	case err == nil:
		return ""
	case errors.As(err, &invalid):
		return string(invalid)
	case errors.As(err, &typeErr) && isInteger(typeErr.Type):
		return "must be a whole number from -2147483648 to 2147483647"
	case errors.As(err, &typeErr):
		return "must be a JSON " + jsonType(typeErr.Type)
	}
	return "is invalid"
}

// acceptsNull tells whether a field holds null: a pointer, or an Optional of one.
func acceptsNull(field reflect.Value) bool {
	if optional, ok := field.Interface().(interface{ Nullable() bool }); ok {
		return optional.Nullable()
	}
	return field.Kind() == reflect.Pointer
}

func isInteger(t reflect.Type) bool {
	return t.Kind() == reflect.Int32
}

// wholeNumber writes a JSON number that is whole (12.0, 1.2e1) as an integer; ok is false for
// any other value.
func wholeNumber(value json.RawMessage) (json.RawMessage, bool) {
	number, err := strconv.ParseFloat(string(value), 64)
	if err != nil || number != math.Trunc(number) || math.Abs(number) > math.MaxInt32+1 {
		return nil, false
	}
	return strconv.AppendInt(nil, int64(number), 10), true
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
	case reflect.Bool:
		return "boolean"
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
		case "decimal":
			message = "must be a decimal number as text: " + models.DecimalDigits(decimalSize(failure.Param()))
		case "date":
			message = "must be a date: YYYY-MM-DD"
		case "oneof":
			message = "must be one of: " + strings.ReplaceAll(failure.Param(), " ", ", ")
		case "id":
			message = "must be a UUID"
		}
		problems = append(problems, utils.FieldProblem{Field: "body." + failure.Field(), Message: message})
	}
	return problems
}

// readListParams reads page, limit, sort, a filter per field of list.Filters, and include
// (guidelines 3.1), e.g. ?page=2&limit=50&sort=name:desc&filter[name]=cat&include=owner. A
// parameter given twice is refused: which one wins would be the framework's choice.
func readListParams(c *gin.Context, list models.ListFields, defaultSort string) (models.ListQuery, error) {
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
	column, known := list.Sort[field]
	if !known || (hasDirection && direction != "asc" && direction != "desc") {
		problems = append(problems, utils.FieldProblem{
			Field:   "query.sort",
			Message: "must be a field (" + strings.Join(slices.Sorted(maps.Keys(list.Sort)), ", ") + ") optionally followed by :asc or :desc",
		})
	}
	params.SortColumn, params.Direction = column, models.Ascending
	if direction == "desc" {
		params.Direction = models.Descending
	}

	for _, filter := range list.Filters {
		name := "filter[" + filter.Field + "]"
		text, given := param(query, name, &problems)
		if !given {
			continue
		}
		value, err := filter.Read(text)
		if err != nil {
			problems = append(problems, utils.FieldProblem{Field: "query." + name, Message: err.Error()})
			continue
		}
		params.Filters = append(params.Filters, models.Filter{Field: filter.Field, Column: filter.Column, Value: value, Contains: filter.Contains})
	}

	if len(list.Include) > 0 {
		params.Include = includeParam(query, list.Include, &problems)
	}

	if len(problems) > 0 {
		return models.ListQuery{}, utils.BadRequest(problems...)
	}
	return params, nil
}

// includeParam reads `include`: references of the resource, comma-separated, e.g.
// owner,editor; each is embedded once, in the order given.
func includeParam(query url.Values, references []string, problems *[]utils.FieldProblem) []string {
	text, given := param(query, "include", problems)
	if !given {
		return nil
	}
	var include []string
	for name := range strings.SplitSeq(text, ",") {
		if !slices.Contains(references, name) {
			*problems = append(*problems, utils.FieldProblem{
				Field:   "query.include",
				Message: "must be a comma-separated list of: " + strings.Join(references, ", "),
			})
			return nil
		}
		if !slices.Contains(include, name) {
			include = append(include, name)
		}
	}
	return include
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
