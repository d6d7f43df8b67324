"""The discovery addon alone (with its runtime): purchase-looking requests no rule matched, noted once."""

from __future__ import annotations

from addons import flows
from addons.discovery import Discovery
from guardian.store import unrecognised
from guardian.store.db import connect
from tests.support.one_addon import alone, flow, write_config


def handed_over(method: str, host: str, path: str, app: str = "douyu"):
    """A request the enforcement addon let through and found no purchase in."""
    f = flow(method, host, path, b"yuan=5", content_type="application/x-www-form-urlencoded")
    f.metadata[flows.UNMATCHED] = (app, flows.to_request(f, host))
    return f


def test_a_purchase_looking_request_is_noted_once_per_host_and_path_shape(tmp_path):
    config = write_config(tmp_path, "")
    with alone(Discovery, config) as discovery:
        first = handed_over("POST", "www.douyu.com", "/japi/prop/newgift/order/123456")
        assert discovery.request(first) is None
        assert flows.UNMATCHED not in first.metadata  # taken: nothing lingers on the flow
        discovery.request(handed_over("POST", "www.douyu.com", "/japi/prop/newgift/order/987654"))  # the same shape
        discovery.request(handed_over("GET", "www.douyu.com", "/japi/prop/newgift/list"))  # reads are not purchases
        discovery.request(flow("POST", "www.douyu.com", "/japi/prop/newgift/order/1"))  # not handed over
    conn = connect(tmp_path / "guardian.db")
    rows = [(r.app, r.host, r.method, r.path, r.hits) for r in unrecognised.recent(conn)]
    conn.close()
    assert rows == [("douyu", "www.douyu.com", "POST", "/japi/prop/newgift/order/{id}", 1)]


def test_a_request_a_rule_matches_is_not_unrecognised(tmp_path):
    config = write_config(tmp_path, "")
    with alone(Discovery, config) as discovery:
        discovery.request(handed_over("POST", "api.live.bilibili.com", "/xlive/revenue/v1/gift/sendGold", "bilibili"))
    conn = connect(tmp_path / "guardian.db")
    assert unrecognised.recent(conn) == []
    conn.close()
