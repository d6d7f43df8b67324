"""Detection cost with a small and a large catalog, side by side (measures, asserts nothing).

    .venv/bin/python benchmarks/detect_rules.py [--rules 1000] [--repeat 20000]

Builds catalogs of the shipped apps plus synthetic apps (10 rules per host,
half exact paths, half patterned), then times, per request:
- an ordinary host (the app look-up the addon does for every request);
- an app host, path no rule names (most app traffic);
- a purchase (parsing its form body, pricing, converting).
Prints microseconds per call and the large/small ratio.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from guardian.catalog.detect import detect
from guardian.catalog.index import Catalog, builtin_files
from guardian.catalog.request import Request
from guardian.catalog.rulefile import parse_app
from guardian.household.config import Household


def synthetic(rules: int) -> list[tuple[str, str]]:
    files = []
    for a in range(max(1, rules // 10)):
        text = [
            f'app = "synthetic{a}"',
            'currency = "CNY"',
            f'hosts = ["*.app{a}.example"]',
            "refusal = { json = '{}' }",
        ]
        for r in range(10):
            path = f"/api/v{r}/gift/send" if r % 2 else f"/api/v{r}/*/order/**"
            text += [
                "[[rule]]",
                f'id = "s{a}.{r}"',
                'kind = "gift"',
                f'host = "api.app{a}.example"',
                f'path = "{path}"',
                'amount = "n"',
            ]
        files.append((f"synthetic{a}.toml", "\n".join(text) + "\n"))
    return files


def catalog(rules: int) -> Catalog:
    return Catalog([parse_app(text, Path(name)) for name, text in builtin_files() + synthetic(rules)])


def per_call(fn, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat * 1e6


def measure(cat: Catalog, repeat: int) -> dict[str, float]:
    household = Household()
    ordinary = "news.example"
    app_page = Request(
        "10.0.0.2", None, "GET", "api.live.bilibili.com", "/xlive/web-room/v1/index/getInfoByRoom", (("room_id", "1"),)
    )
    purchase = Request(
        "10.0.0.2", None, "POST", "api.live.bilibili.com", "/xlive/revenue/v2/gift/sendGoldMultiUser", (),
        "application/x-www-form-urlencoded", b"gift_id=31039&price=1000&gift_num=2&ruid=42&coin_type=gold&csrf=x",
    )  # fmt: skip
    return {
        "ordinary host look-up": per_call(lambda: cat.app_for_host(ordinary), repeat * 5),
        "app host, no rule": per_call(lambda: detect(cat, household, app_page), repeat),
        "purchase": per_call(lambda: detect(cat, household, purchase), repeat),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20000)
    args = parser.parse_args()
    small, large = catalog(10), catalog(args.rules)
    n_small = sum(len(a.rules) for a in small.apps.values())
    n_large = sum(len(a.rules) for a in large.apps.values())
    measure(small, 1000)  # warm up
    a, b = measure(small, args.repeat), measure(large, args.repeat)
    print(f"{'':26} {n_small:>6} rules {n_large:>6} rules  ratio")
    for key in a:
        print(f"{key:26} {a[key]:9.2f} µs {b[key]:9.2f} µs  {b[key] / a[key]:5.2f}")


if __name__ == "__main__":
    main()
