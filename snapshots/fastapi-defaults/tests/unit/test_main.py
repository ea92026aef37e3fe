"""`python -m app`: one process serves the API on PORT and its metrics on PROMETHEUS_PORT, stops
both on SIGTERM, and does not start when it cannot listen on either."""

import asyncio
import os
import signal
import socket
from collections.abc import Iterator

import httpx
import pytest

from app import __main__ as entry_point
from app.core.config import Settings
from tests.conftest import UNREACHABLE_DATABASE, make_settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port something else already listens on."""
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))  # noqa: S104 - where the service would listen
        taken.listen()
        yield int(taken.getsockname()[1])


def with_ports(settings: Settings, **ports: int) -> Settings:
    return settings.model_copy(
        update={"port": free_port(), "prometheus_port": free_port(), **ports}
    )


async def test_one_process_serves_the_api_and_its_metrics_until_sigterm(
    offline_settings: Settings,
) -> None:
    settings = with_ports(offline_settings)
    servers = entry_point.listeners(settings)
    serving = asyncio.create_task(entry_point.serve(servers))
    for _ in range(200):
        if all(server.started for server in servers.values()):
            break
        await asyncio.sleep(0.05)
    api = f"http://127.0.0.1:{settings.port}"
    metrics = f"http://127.0.0.1:{settings.prometheus_port}"
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{api}/live")).status_code == 200
        # The request line and headers may take 16 KiB, no more: the server's own bare 431.
        large = await client.get(f"{api}/live", headers={"x-large": "a" * 16_000})
        assert large.status_code == 200
        too_large = await client.get(f"{api}/live", headers={"x-large": "a" * 16_400})
        assert (too_large.status_code, too_large.content) == (431, b"")
        on_api = await client.get(f"{api}/metrics")
        assert (on_api.status_code, on_api.json()["error"]["code"]) == (404, "NOT_FOUND")
        scraped = await client.get(f"{metrics}/metrics")
        assert scraped.status_code == 200
        assert 'route="/live",status_code="200"' in scraped.text
        assert (await client.get(f"{metrics}/live")).status_code == 404

        os.kill(os.getpid(), signal.SIGTERM)  # handled by `serve`, as in the container
        assert await asyncio.wait_for(serving, 15) is True
        for url in (api, metrics):
            with pytest.raises(httpx.ConnectError):
                await client.get(f"{url}/live")


@pytest.mark.parametrize(
    ("busy", "variable"), [("port", "PORT"), ("prometheus_port", "PROMETHEUS_PORT")]
)
async def test_a_port_it_cannot_listen_on_stops_the_other_listener_too(
    offline_settings: Settings,
    taken_port: int,
    busy: str,
    variable: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    servers = entry_point.listeners(with_ports(offline_settings, **{busy: taken_port}))
    assert await asyncio.wait_for(entry_point.serve(servers), 15) is False
    assert not any(server.servers[0].is_serving() for server in servers.values() if server.started)
    assert f'"message": "Cannot serve on {variable}"' in capsys.readouterr().out


def test_the_process_exits_with_1_when_a_port_is_taken(
    offline_settings: Settings, taken_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = with_ports(offline_settings, prometheus_port=taken_port)
    monkeypatch.setattr(entry_point, "get_settings", lambda: settings)
    with pytest.raises(SystemExit) as exit_status:
        entry_point.main()
    assert exit_status.value.code == 1


def test_a_configuration_error_is_one_line_and_exit_status_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def equal_ports() -> Settings:
        return make_settings(UNREACHABLE_DATABASE, port=9090, prometheus_port=9090)

    monkeypatch.setattr(entry_point, "get_settings", equal_ports)
    with pytest.raises(SystemExit) as exit_status:
        entry_point.main()
    assert exit_status.value.code == 2
    assert capsys.readouterr().err == (
        "invalid configuration: PROMETHEUS_PORT must differ from PORT\n"
    )


def test_a_mistake_in_the_external_services_is_one_line_and_exit_status_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Read from the environment, as the service reads it when it starts."""
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE_DATABASE)
    monkeypatch.setenv("JWT_SECRET", "x" * 32)
    monkeypatch.setenv("EXTERNAL_SERVICES", "storage-service")
    monkeypatch.setenv("STORAGE_SERVICE_URL", "storage-service:8089")
    monkeypatch.setattr(entry_point, "get_settings", lambda: Settings(_env_file=None))
    with pytest.raises(SystemExit) as exit_status:
        entry_point.main()
    assert exit_status.value.code == 2
    assert capsys.readouterr().err == (
        "invalid configuration: STORAGE_SERVICE_URL must be an http or https URL\n"
    )


def test_a_bad_trusted_proxy_is_one_line_and_exit_status_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE_DATABASE)
    monkeypatch.setenv("JWT_SECRET", "x" * 32)
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.1,x")
    monkeypatch.setattr(entry_point, "get_settings", lambda: Settings(_env_file=None))
    with pytest.raises(SystemExit) as exit_status:
        entry_point.main()
    assert exit_status.value.code == 2
    assert capsys.readouterr().err == (
        "invalid configuration: TRUSTED_PROXIES has 'x', not an IP address or CIDR range\n"
    )
