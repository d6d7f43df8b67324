"""In-process micro-benchmarks: detection against synthetic catalogs, the request hook, ledger queries.

Synthetic catalogs are generated as rule files and parsed by the real parser,
so they keep working as the shipped catalog grows. An app has 10 rules on two
payment hosts (api.appN.example, pay.appN.example) and covers *.appN.example;
the requests under test go to app 0, which every catalog has.
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import time
import timeit
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from guardian.catalog.detect import detect
from guardian.catalog.index import Catalog
from guardian.catalog.request import Request, normalize_host
from guardian.catalog.rulefile import parse_app
from guardian.household.config import Household
from guardian.household.periods import Calendar
from guardian.store.ledger import Ledger

ADDON = Path(__file__).resolve().parents[1] / "addons" / "guardian_addon.py"


def app_toml(n: int, rules: int) -> str:
    lines = [
        f'app = "app{n}"',
        f'name = "App {n}"',
        'currency = "CNY"',
        f'hosts = ["*.app{n}.example", "app{n}-cdn.example"]',
        'refusal = { status = 200, json = \'{"code": -1, "message": "$message"}\' }',
        'success = { path = "code", values = [0] }',
    ]
    for j in range(rules):
        host = f"api.app{n}.example" if j % 2 == 0 else f"pay.app{n}.example"
        path = f"/api/v{j % 3}/gift/send{j}" if j % 4 else f"/pay/{j}/*/order/**/create"
        lines += [
            "[[rule]]",
            f'id = "app{n}.rule{j}"',
            'kind = "gift"',
            f'host = "{host}"',
            f'path = "{path}"',
            'methods = ["POST"]',
            'amount = ["price", "num"]',
            'per_currency = "100"',
            'recipient = ["to"]',
        ]
    return "\n".join(lines) + "\n"


def synthetic_catalog(rules: int, per_app: int = 10) -> Catalog:
    apps, left, n = [], rules, 0
    while left > 0:
        apps.append(parse_app(app_toml(n, min(per_app, left)), Path(f"synthetic/app{n}.toml")))
        left -= per_app
        n += 1
    catalog = Catalog(apps)
    assert sum(len(a.rules) for a in catalog.apps.values()) == rules
    return catalog


def _request(host: str, path: str, body: bytes = b"") -> Request:
    return Request("10.0.0.2", None, "POST", normalize_host(host), path, (), "application/x-www-form-urlencoded", body)


# What the proxy sees most (ordinary hosts) to what it sees least (a priced purchase).
REQUESTS = {
    "ordinary host": _request("www.news-example.com", "/article/1"),
    "app page (no rules)": _request("live.app0.example", "/room/1"),
    "payment host, other path": _request("api.app0.example", "/api/v1/user/info"),
    "purchase (priced)": _request("api.app0.example", "/api/v2/gift/send2", b"price=500&num=2&to=7734"),
}


def hook_work(catalog: Catalog, household: Household, request: Request) -> Callable[[], object]:
    """The core work of the request hook: the host index, then detection for app hosts."""

    def run() -> object:
        app = catalog.app_for_host(request.host)
        return None if app is None else detect(catalog, household, request)

    return run


def per_call(fn: Callable[[], object], budget: float = 0.25) -> float:
    """Seconds per call: the best of 5 timings of enough calls to fill `budget`."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    number = max(1, int(number * budget / 0.2))
    return min(timer.repeat(5, number)) / number


def detection(sizes: tuple[int, ...] = (10, 1000), rounds: int = 5) -> dict[int, dict[str, float]]:
    """Seconds per request for each size and request kind; sizes alternate round by round so drift hits all alike."""
    household = Household()
    catalogs = {size: synthetic_catalog(size) for size in sizes}
    best: dict[int, dict[str, float]] = {size: {} for size in sizes}
    for _ in range(rounds):
        for size, catalog in catalogs.items():
            assert detect(catalog, household, REQUESTS["purchase (priced)"]).money is not None
            for name, req in REQUESTS.items():
                t = per_call(hook_work(catalog, household, req), budget=0.1)
                best[size][name] = min(t, best[size].get(name, t))
    return best


def request_hooks(config: Path, hosts: list[str]) -> dict[str, float]:
    """Seconds per call of the request hook on an ordinary flow: Guardian's, and block_list's holding `hosts`.

    Guardian's is every request hook of its script (devices, enforcement, discovery) in the order mitmproxy calls them.
    """
    from mitmproxy.addons.blocklist import BlockList
    from mitmproxy.test import taddons, tflow, tutils

    def flow():
        f = tflow.tflow()
        f.request = tutils.treq(
            host="www.news-example.com",
            port=443,
            scheme=b"https",
            authority=b"www.news-example.com",
            headers=((b"host", b"www.news-example.com"), (b"accept", b"*/*")),
        )
        return f

    out: dict[str, float] = {}
    before = os.environ.get("GUARDIAN_CONFIG")
    os.environ["GUARDIAN_CONFIG"] = str(config)  # the script configures itself as it loads, as under mitmdump
    try:
        with taddons.context() as tctx:
            script = tctx.script(str(ADDON))
            tctx.configure(script)
            out.update(_guardian_hooks(script, flow()))
    finally:
        if before is None:
            os.environ.pop("GUARDIAN_CONFIG")
        else:
            os.environ["GUARDIAN_CONFIG"] = before
    blocklist = BlockList()
    with taddons.context(blocklist) as tctx:
        tctx.configure(blocklist, block_list=block_specs(hosts))
        f = flow()
        blocklist.request(f)
        assert f.response is None
        out[f"block_list request hook ({len(hosts)} rules)"] = per_call(lambda: blocklist.request(f))
    return out


def _guardian_hooks(script, f) -> dict[str, float]:
    hooks = [a.request for a in script.addons if hasattr(a, "request")]

    def guardian() -> None:
        for hook in hooks:
            hook(f)

    assert [hook(f) for hook in hooks] == [None] * len(hooks) and f.response is None
    out = {
        f"Guardian request hooks (all {len(hooks)})": per_call(guardian),
        "  of which the enforcement hook": per_call(lambda: script.enforcement.request(f)),
    }
    for addon in script.addons:
        if hasattr(addon, "done"):
            addon.done()
    return out


def catalog_hosts(catalog: Catalog) -> list[str]:
    """Every host the catalog names (app hosts and rule hosts), without the "*." of suffix entries."""
    hosts = {h.removeprefix("*.") for a in catalog.apps.values() for h in a.hosts}
    hosts |= {r.host for a in catalog.apps.values() for r in a.rules}
    return sorted(hosts)


def block_specs(hosts: list[str]) -> list[str]:
    """One block_list rule per host, the way a parent would write them (a domain regex each)."""
    return ["|~d " + h.replace(".", r"\.") + "|403" for h in hosts]


# --- the ledger

CHILDREN, APPS = ("Mia", "Leo", "Ava"), ("bilibili", "douyin", "kuaishou")
WEEK_ROWS = 600  # attempts in the reviewed week (and before it in its month), the same at every ledger size
COLUMNS = (
    "at_ms",
    "tz",
    "client_ip",
    "child",
    "app",
    "kind",
    "rule",
    "app_amount",
    "app_unit",
    "amount",
    "amount_units",
    "currency",
    "recipient",
    "decision",
    "reason",
    "outcome",
)


def _rows(count: int, week_start: datetime, month_start: datetime, rng: random.Random):
    """WEEK_ROWS in the reviewed week and as many again earlier in its month; the rest is history before the month."""
    week, month = int(week_start.timestamp() * 1000), int(month_start.timestamp() * 1000)
    day = 86_400_000
    history = max(0, count - 2 * WEEK_ROWS)
    # In time order, as a ledger grows: history first, oldest first.
    times = sorted(month - 1 - rng.randrange(3 * 365 * day) for _ in range(history))
    times += sorted(month + rng.randrange(max(1, week - month)) for _ in range(min(WEEK_ROWS, count - history)))
    times += sorted(week + rng.randrange(7 * day) for _ in range(count - len(times)))
    for at in times:
        allowed = rng.random() < 0.8
        yuan = rng.randrange(1, 60)
        yield (
            at,
            "Asia/Shanghai",
            "192.168.1.23",
            rng.choice(CHILDREN),
            rng.choice(APPS),
            "gift",
            "x.gift",
            str(yuan * 1000),
            "gold",
            str(yuan),
            yuan * 10_000 if allowed else 0,
            "CNY",
            f"streamer{rng.randrange(300)}",
            "allowed" if allowed else "blocked",
            None if allowed else "day-cap",
            "accepted" if allowed else "never-contacted",
        )


def fill_ledger(path: Path, count: int, week_start: datetime, month_start: datetime) -> float:
    """`count` attempts (see _rows), inserted with executemany in one transaction. Seconds taken."""
    Ledger(path).close()  # the real schema and indexes
    conn = sqlite3.connect(path, isolation_level=None)
    began = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(
        f"INSERT INTO attempts ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
        _rows(count, week_start, month_start, random.Random(count)),
    )
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - began


def _weekly_query() -> tuple[str, Callable[[sqlite3.Connection, Calendar, date], object]]:
    try:
        from guardian.evidence import review
    except ImportError:
        review = None
    if review is not None and hasattr(review, "week"):
        return "guardian.evidence.review.week", lambda conn, cal, first: review.week(conn, cal, first, list(CHILDREN))
    return "representative weekly aggregation (guardian/review.py absent)", _representative_week


def _representative_week(conn: sqlite3.Connection, calendar: Calendar, first: date) -> object:
    """What a weekly review reads: who spent, per child per day/app/streamer, and the refusals."""
    start = int(calendar.day_bounds(first)[0].timestamp() * 1000)
    end = int(calendar.day_bounds(first + timedelta(days=6))[1].timestamp() * 1000)
    out = []
    children = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT child FROM attempts WHERE child IS NOT NULL AND at_ms >= ? AND at_ms < ?", (start, end)
        )
    ]
    for child in children:
        spent = conn.execute(
            "SELECT at_ms, app, recipient, amount_units FROM attempts WHERE child = ? AND decision = 'allowed'"
            " AND outcome IN ('pending', 'accepted') AND at_ms >= ? AND at_ms < ?",
            (child, start, end),
        ).fetchall()
        refused = conn.execute(
            "SELECT * FROM attempts WHERE child = ? AND decision = 'blocked' AND at_ms >= ? AND at_ms < ?"
            " ORDER BY id DESC LIMIT 200",
            (child, start, end),
        ).fetchall()
        out.append((child, len(spent), len(refused)))
    return out


def ledger_queries(
    folder: Path, sizes: tuple[int, ...] = (10_000, 1_000_000), repeat: int = 15
) -> tuple[str, dict[int, dict[str, float]]]:
    calendar = Calendar(ZoneInfo("Asia/Shanghai"), 0)
    first = date(2026, 11, 23)  # a Monday
    week_start = calendar.day_bounds(first)[0]
    now = week_start + timedelta(days=5, hours=3)
    name, weekly = _weekly_query()
    results: dict[int, dict[str, float]] = {}
    for size in sizes:
        path = folder / f"ledger-{size}.db"
        fill = fill_ledger(path, size, week_start, calendar.month_start(now))
        ledger = Ledger(path)
        try:
            timings: dict[str, list[float]] = {"weekly review": [], "cap check (spending)": []}
            for i in range(repeat + 2):
                t0 = time.perf_counter()
                weekly(ledger.conn, calendar, first)
                t1 = time.perf_counter()
                with ledger.reading() as view:
                    view.spending(CHILDREN[i % 3], now, calendar, "CNY")
                t2 = time.perf_counter()
                if i >= 2:  # the first runs warm the page cache
                    timings["weekly review"].append(t1 - t0)
                    timings["cap check (spending)"].append(t2 - t1)
            results[size] = {k: statistics.median(v) for k, v in timings.items()} | {"fill seconds": fill}
        finally:
            ledger.close()
            path.unlink()
    return name, results


def now_utc() -> datetime:
    return datetime.now(UTC)
