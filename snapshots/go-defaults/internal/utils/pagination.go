package utils

// Pagination is the `pagination` part of every list response (guidelines 3.1).
type Pagination struct {
	Page       int `json:"page"`
	Limit      int `json:"limit"`
	Total      int `json:"total"`
	TotalPages int `json:"totalPages"`
}

// Paginate describes page `page` of `limit` items out of `total`.
func Paginate(page, limit, total int) Pagination {
	return Pagination{Page: page, Limit: limit, Total: total, TotalPages: (total + limit - 1) / limit}
}

// Page is the body of every list endpoint: one page of items and where it sits.
type Page[T any] struct {
	Data       []T        `json:"data"`
	Pagination Pagination `json:"pagination"`
}
