package models

import "github.com/visiobook/asset-library/internal/utils"

// MediaAsset is one row of the media_assets table, as clients receive it (guidelines 2.1).
type MediaAsset struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description *string   `json:"description"`
	CreatedAt   Timestamp `json:"createdAt"`
	UpdatedAt   Timestamp `json:"updatedAt"`
	Version     int       `json:"version"`
}

// MediaAssetInput is the body of POST and PUT: the full representation; a field left out
// is reset to its default.
type MediaAssetInput struct {
	Name        string  `json:"name" validate:"notblank,max=200,nonul"`
	Description *string `json:"description" validate:"omitnil,max=10000,nonul"`
}

// MediaAssetPatch is the body of PATCH: only the fields present change. A required field
// may be left out but not emptied or nulled; the others may be set to null.
type MediaAssetPatch struct {
	Name        Optional[string]  `json:"name" validate:"omitnil,notblank,max=200,nonul"`
	Description Optional[*string] `json:"description" validate:"omitnil,max=10000,nonul"`
}

// MediaAssetList is what the list of media-assets sorts on, filters on and embeds.
var MediaAssetList = ListFields{
	Sort: map[string]string{
		"createdAt": "created_at",
		"updatedAt": "updated_at",
		"name":      "name",
	},
	Filters: []FilterField{
		{Field: "name", Column: "name", Read: ContainedText(200), Contains: true},
	},
}

// MediaAssetPage is the body of the list endpoint.
type MediaAssetPage = utils.Page[MediaAsset]
