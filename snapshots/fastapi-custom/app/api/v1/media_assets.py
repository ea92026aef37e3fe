"""The resource /api/v1/media-assets (guidelines 3.1), as in api/openapi.json.

Every route needs a bearer JWT; those that write also need one of the roles named in their
`dependencies` (docs/contract.md, Authorization). Lists are paginated, sorted and filtered.
Parameters and bodies are read by hand (app/api/dependencies.py says why).
"""

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from app.api.dependencies import (
    JsonObject,
    SessionDep,
    SettingsDep,
    require_principal,
    require_role,
)
from app.core.cache import Cache
from app.core.errors import InvalidRequestError, Problem
from app.core.pagination import Pagination, parse_list_query
from app.core.security import DELETE_ROLES, WRITE_ROLES
from app.models.media_asset import (
    MediaAssetInput,
    MediaAssetPage,
    MediaAssetPatch,
    MediaAssetRead,
)
from app.services.media_asset_service import (
    FILTERS,
    SORT_COLUMNS,
    MediaAssetCachedRepository,
    MediaAssetService,
    MediaAssetSqlRepository,
)

router = APIRouter(prefix="/media-assets", dependencies=[Depends(require_principal)])
# A hyphenated UUID in any case; anything else is a malformed request (400), not an absent one.
UUID_TEXT = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE
)


# async: FastAPI would run a plain `def` in a worker thread (app/api/dependencies.py).
async def get_service(
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
) -> MediaAssetService:
    # The keys of this resource's reads (docs/contract.md, Cache).
    prefix = f"{settings.service_name}:media-assets:"
    cache = Cache(request.app.state.redis, prefix, settings.cache_ttl)
    sql = MediaAssetSqlRepository(session)
    return MediaAssetService(MediaAssetCachedRepository(sql, cache))


ServiceDep = Annotated[MediaAssetService, Depends(get_service)]
# How the list reads each filter's text.
FILTER_READERS = {name: rule.parse for name, rule in FILTERS.items()}


def parse_id(text: str) -> uuid.UUID:
    if not UUID_TEXT.fullmatch(text):
        raise InvalidRequestError([Problem("path.id", "must be a UUID")])
    return uuid.UUID(text)


@router.api_route("", methods=["GET", "HEAD"], response_model=MediaAssetPage)
async def list_media_assets(
    request: Request,
    service: ServiceDep,
) -> MediaAssetPage:
    query = parse_list_query(request.query_params, tuple(SORT_COLUMNS), FILTER_READERS)
    items, total = await service.list(query)
    return MediaAssetPage(
        data=[MediaAssetRead.model_validate(item) for item in items],
        pagination=Pagination.of(query.page, query.limit, total),
    )


@router.post(
    "",
    response_model=MediaAssetRead,
    status_code=status.HTTP_201_CREATED,
    dependencies=[require_role(WRITE_ROLES)],
)
async def create_media_asset(
    body: JsonObject,
    service: ServiceDep,
    request: Request,
    response: Response,
) -> MediaAssetRead:
    data = MediaAssetInput.from_body(body)
    item = MediaAssetRead.model_validate(await service.create(data.model_dump()))
    response.headers["Location"] = f"{request.url.path}/{item.id}"
    return item


@router.api_route("/{id}", methods=["GET", "HEAD"], response_model=MediaAssetRead)
async def get_media_asset(id: str, service: ServiceDep) -> MediaAssetRead:
    return MediaAssetRead.model_validate(await service.get(parse_id(id)))


@router.put(
    "/{id}",
    response_model=MediaAssetRead,
    dependencies=[require_role(WRITE_ROLES)],
)
async def replace_media_asset(
    id: str,
    body: JsonObject,
    service: ServiceDep,
) -> MediaAssetRead:
    item_id = parse_id(id)
    data = MediaAssetInput.from_body(body)
    item = await service.replace(item_id, data.model_dump())
    return MediaAssetRead.model_validate(item)


@router.patch(
    "/{id}",
    response_model=MediaAssetRead,
    dependencies=[require_role(WRITE_ROLES)],
)
async def update_media_asset(
    id: str,
    body: JsonObject,
    service: ServiceDep,
) -> MediaAssetRead:
    item_id = parse_id(id)
    data = MediaAssetPatch.from_body(body)
    item = await service.update(item_id, data.model_dump(exclude_unset=True))
    return MediaAssetRead.model_validate(item)


@router.delete(
    "/{id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[require_role(DELETE_ROLES)]
)
async def delete_media_asset(id: str, service: ServiceDep) -> Response:
    await service.delete(parse_id(id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
