"""The metrics listener's app (PROMETHEUS_PORT): GET /metrics and nothing else."""

import pytest
from httpx import AsyncClient
from prometheus_client import CONTENT_TYPE_LATEST


async def test_it_serves_the_registry_in_the_prometheus_format(
    offline_client: AsyncClient, metrics_client: AsyncClient
) -> None:
    await offline_client.get("/live")
    response = await metrics_client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == CONTENT_TYPE_LATEST
    assert 'http_requests_total{method="GET",route="/live",status_code="200"}' in response.text
    assert (await metrics_client.head("/metrics")).status_code == 200


async def test_its_own_requests_are_not_counted(metrics_client: AsyncClient) -> None:
    """The request metrics are the API's: a scrape is not an API request."""
    await metrics_client.get("/metrics")
    assert 'route="/metrics"' not in (await metrics_client.get("/metrics")).text


@pytest.mark.parametrize("path", ["/", "/live", "/health", "/ready", "/metrics/", "/api/docs"])
async def test_any_other_path_is_a_plain_404(metrics_client: AsyncClient, path: str) -> None:
    response = await metrics_client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == "Not Found"


async def test_other_methods_are_405(metrics_client: AsyncClient) -> None:
    response = await metrics_client.post("/metrics")
    assert response.status_code == 405
    assert response.text == "Method Not Allowed"
