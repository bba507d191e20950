import pytest


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """The token endpoint's throttle counts requests per address in the cache: every test
    starts from zero, so tests that log in by token many times are not throttled by the
    tests before them (and the throttle's own test counts for real)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
