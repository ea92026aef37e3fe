"""The rate limit's windows and headers (app/core/rate_limit.py), on a clock the test moves."""

from app.core.rate_limit import MemoryCounter, Standing, Usage


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_window_starts_at_the_first_request_and_counts_each_one() -> None:
    clock = Clock()
    counter = MemoryCounter(60, clock)
    assert counter.hit("ip:10.0.0.1") == Usage(1, 60)
    clock.now += 15
    assert counter.hit("ip:10.0.0.1") == Usage(2, 45)
    assert counter.hit("sub:alice") == Usage(1, 60)  # each client has a window of its own


def test_a_new_window_starts_once_the_last_one_ended() -> None:
    clock = Clock()
    counter = MemoryCounter(60, clock)
    for _ in range(5):
        counter.hit("sub:alice")
    clock.now += 60
    assert counter.hit("sub:alice") == Usage(1, 60)


def test_windows_that_ended_are_dropped_once_per_window() -> None:
    clock = Clock()
    counter = MemoryCounter(60, clock)
    counter.hit("sub:alice")
    clock.now += 30
    counter.hit("sub:bob")
    clock.now += 30  # alice's window ends; bob's has 30 s left
    counter.hit("sub:carol")
    assert set(counter.windows) == {"sub:bob", "sub:carol"}


async def test_count_is_hit() -> None:
    counter = MemoryCounter(1, Clock())
    assert await counter.count("ip:::1") == Usage(1, 1)


def test_the_headers_say_what_is_left_and_when_the_window_ends() -> None:
    standing = Standing(limit=3, window=60, usage=Usage(1, 59.2))
    assert standing.headers() == {
        "RateLimit-Policy": '"default";q=3;w=60',
        "RateLimit": '"default";r=2;t=60',
    }
    assert not standing.exceeded


def test_over_the_limit_nothing_is_left_and_a_second_at_least_to_wait() -> None:
    standing = Standing(limit=3, window=60, usage=Usage(7, 0.001))
    assert standing.exceeded
    assert standing.reset == 1
    assert standing.headers()["RateLimit"] == '"default";r=0;t=1'
