"""A fixture that runs a test once per backend (ZKTRADE_BACKEND=reference and fast)."""

import pytest

from zk.backends import available


@pytest.fixture(params=available())
def each_backend(request, monkeypatch):
    """The backend name; zk's dispatch (pairings, subgroup checks, MSMs) follows it."""
    monkeypatch.setenv("ZKTRADE_BACKEND", request.param)
    return request.param
