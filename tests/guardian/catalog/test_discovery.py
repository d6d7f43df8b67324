"""Unrecognised purchase-like requests: what counts, path shapes, and the bounds."""

from __future__ import annotations

import pytest

from guardian.catalog import discovery
from guardian.catalog.request import Request


def req(method: str, path: str) -> Request:
    return Request("10.0.0.2", None, method, "api.example", path)


@pytest.mark.parametrize(
    ("method", "path", "shape"),
    [
        ("POST", "/api/v2/Order/create", "/api/v2/order/create"),
        ("POST", "/gift/send/1234567", "/gift/send/{id}"),
        ("PUT", "/wallet/ab12cd34ef/topup", "/wallet/{id}/topup"),
        ("POST", "/checkout/3f2a9c1e-77aa-4b1e-9d2b-aa11bb22cc33", "/checkout/{id}"),
        ("GET", "/order/list", None),
        ("POST", "/comments/add", None),
    ],
)
def test_what_looks_like_a_purchase(method, path, shape):
    assert discovery.looks_like_purchase(req(method, path)) == shape


def test_one_note_per_shape_and_a_bounded_memory():
    seen = discovery.Seen()
    assert seen.first("h", "/pay") and not seen.first("h", "/pay")
    for i in range(discovery.MAX_SEEN):
        seen.first("h", f"/{i}")
    assert not seen.first("h", "/new")
