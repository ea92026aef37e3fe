"""API models of media-assets: what clients send and receive (api/openapi.json)."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

from app.core.errors import InvalidRequestError, Problem
from app.core.pagination import Pagination
from app.core.timestamps import format_timestamp


def no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL. (Unpaired surrogates, "\ud800" in JSON, which have no
    # UTF-8 form either, are refused by pydantic's own strict string check.)
    if "\x00" in value:
        raise PydanticCustomError("nul", "must not contain NUL characters")
    return value


def not_blank(value: str) -> str:
    if not value.strip(" \t\r\n"):
        raise PydanticCustomError("blank", "must not be blank")
    return value


# Lengths count Unicode code points, as JSON Schema and PostgreSQL do. Stored as sent.
Name = Annotated[
    str, Field(min_length=1, max_length=200), AfterValidator(no_nul), AfterValidator(not_blank)
]
Description = Annotated[str, Field(max_length=10_000), AfterValidator(no_nul)] | None
Timestamp = Annotated[datetime, PlainSerializer(format_timestamp)]


def field_name(location: tuple[int | str, ...]) -> str:
    # An unknown field's name is the client's text: keep it printable in UTF-8.
    path = ".".join(str(part) for part in ("body", *location))
    return path.encode("utf-8", "replace").decode("utf-8")


class RequestBody(BaseModel):
    # Strict: a number is not a name. Forbid: a misspelt field is an error, not ignored.
    model_config = ConfigDict(strict=True, extra="forbid")

    @classmethod
    def from_body(cls, document: dict[str, Any]) -> Self:
        """The body as this model, or a 400 naming each bad field (body.<field>)."""
        try:
            return cls.model_validate(document)
        except ValidationError as error:
            problems = [
                Problem(field_name(problem["loc"]), problem["msg"]) for problem in error.errors()
            ]
            raise InvalidRequestError(problems) from None


class MediaAssetInput(RequestBody):
    """POST and PUT: the whole media-asset; a description left out is null."""

    name: Name
    description: Description = None


class MediaAssetPatch(RequestBody):
    """PATCH: only the fields present change; name may be left out but not null."""

    name: Name | None = None
    description: Description = None

    @field_validator("name")
    @classmethod
    def name_not_null(cls, value: str | None) -> str:
        # Runs only when a name is sent.
        if value is None:
            raise PydanticCustomError("null", "must not be null")
        return value


class MediaAssetRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    description: str | None
    created_at: Timestamp = Field(serialization_alias="createdAt")
    updated_at: Timestamp = Field(serialization_alias="updatedAt")
    version: int


class MediaAssetPage(BaseModel):
    """A page of media-assets: {"data": [...], "pagination": {...}}."""

    data: list[MediaAssetRead]
    pagination: Pagination
