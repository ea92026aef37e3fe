"""Version 1 of the public API, mounted under /api/v1."""

from fastapi import APIRouter, Depends

from app.api.dependencies import count_request
from app.api.v1 import media_assets

# Every request to one of its routes counts against its client's rate limit, before the
# routes' own dependencies (authentication first): a 404 or 405 matches no route, so it does not.
api_router = APIRouter(prefix="/api/v1", dependencies=[Depends(count_request)])
api_router.include_router(media_assets.router)
