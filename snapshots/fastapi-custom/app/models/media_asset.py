"""API models of media-assets: what clients send and receive (api/openapi.json)."""

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from app.core.pagination import Pagination
from app.models import values

# Lengths count Unicode code points, as JSON Schema and PostgreSQL do. Stored as sent.
Name = Annotated[str, Field(min_length=1, max_length=200), values.NoNul, values.NotBlank]
Description = Annotated[str, Field(max_length=10_000), values.NoNul] | None


class MediaAssetInput(values.RequestBody):
    """POST and PUT: the whole media-asset; a field left out gets its default, or null."""

    name: Name
    description: Description = None


class MediaAssetPatch(values.RequestBody):
    """PATCH: only the fields present change; a required field may be left out but not null."""

    name: Name | None = None
    description: Description = None

    @field_validator("name")
    @classmethod
    def required_not_null(cls, value: object) -> object:
        # Runs only when the field is sent.
        if value is None:
            raise PydanticCustomError("null", "must not be null")
        return value


class MediaAssetRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    description: str | None
    created_at: values.Timestamp = Field(serialization_alias="createdAt")
    updated_at: values.Timestamp = Field(serialization_alias="updatedAt")
    version: int


class MediaAssetPage(BaseModel):
    """A page of media-assets: {"data": [...], "pagination": {...}}."""

    data: list[MediaAssetRead]
    pagination: Pagination
