"""Guardian's benchmark: every figure the project promises, measured side by side in one run.

    .venv/bin/python benchmarks/run.py [--seconds 2] [--rounds 5] [--connections 4] [--only traffic|micro]

Everything runs on 127.0.0.1 and stops by itself (about two minutes with the
defaults). It prints raw figures, ratios and the targets beside them:

- ordinary requests/s through bare mitmdump, mitmdump + Guardian (its full
  catalog) and mitmdump + the built-in block_list holding one rule per catalog
  host (rules that never match the benchmark's requests); HTTP and HTTPS;
- allowed purchases/s through Guardian against the same requests through bare
  mitmdump (both route the payment host to the local origin; caps so high
  that every purchase is allowed, so each one is judged, recorded and settled);
- the request hook itself on an ordinary flow, Guardian's against block_list's;
- detection cost per request with 10 and 1,000 rules (synthetic catalogs);
- the weekly review and the cap check with 10,000 and 1,000,000 attempts.

The proxies of one comparison run at once and take turns, their order
rotating round by round, so drift and other load on the machine hit all
alike; each figure is the median of the rounds. This is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import micro, traffic  # noqa: E402
from guardian.catalog.index import Catalog  # noqa: E402

TARGETS = {
    "ordinary": 0.97,  # Guardian / bare, at least
    "block_list": 1.2,  # Guardian / block_list, at least
    "purchases": 0.5,  # Guardian / bare, at least
    "detection": 1.3,  # cost at 1,000 rules / cost at 10, at most
    "weekly": 2.0,  # cost at 1,000,000 attempts / cost at 10,000, at most
}
CONFIG = """\
[household]
unknown_devices = "Kid"
[storage]
path = "{db}"
[[child]]
name = "Kid"
devices = ["127.0.0.1"]
[child.caps]
per_purchase = "1000000"
day = "99999999"
week = "99999999"
month = "99999999"
"""


def verdict(ratio: float, target: float, at_least: bool) -> str:
    ok = ratio >= target if at_least else ratio <= target
    return f"target {'>=' if at_least else '<='} {target:g}  {'met' if ok else 'MISSED'}"


class Traffic:
    def __init__(self, work: Path, hosts: list[str], args: argparse.Namespace):
        self.work, self.args = work, args
        self.origins = traffic.Origins.start(work)
        self.confdir = work / "mitm"
        self.block = [a for spec in micro.block_specs(hosts) for a in ("--set", f"block_list={spec}")]
        self.route = [
            "-s",
            str(traffic.ROUTE),
            "--set",
            f"test_https_upstream={self.origins.https_port}",
            "--set",
            f"test_http_upstream={self.origins.http_port}",
        ]
        self.runs = 0

    def guardian(self) -> list[str]:
        self.runs += 1  # a fresh ledger per run, so rounds do not pile up rows
        config = self.work / f"guardian-{self.runs}.toml"
        config.write_text(CONFIG.format(db=f"bench-{self.runs}.db"), encoding="utf-8")
        return ["-s", str(traffic.ADDON), "--set", f"guardian_config={config}"]

    def sections(self) -> list[tuple[str, str, list[str]]]:
        return [
            ("http", "http", ["bare", "guardian", "block_list"]),
            ("https", "https", ["bare", "guardian", "block_list"]),
            ("purchases", "purchase", ["bare", "guardian"]),
        ]

    def extra(self, section: str, name: str) -> list[str]:
        if section == "purchases":
            return self.route + (self.guardian() if name == "guardian" else [])
        if name == "guardian":
            return self.guardian()
        return self.block if name == "block_list" else []

    def run(self) -> dict[tuple[str, str], list[traffic.Rate]]:
        """Per section, all its proxies run at once and take turns, the order rotating each round."""
        results: dict[tuple[str, str], list[traffic.Rate]] = {}
        a = self.args
        ca = self.confdir / "mitmproxy-ca-cert.pem"
        traffic.Mitmdump.start(self.confdir, self.origins, []).stop()  # creates the CA once
        for section, mode, names in self.sections():
            proxies = {
                name: traffic.Mitmdump.start(self.confdir, self.origins, self.extra(section, name)) for name in names
            }
            try:
                for proxy in proxies.values():
                    traffic.load(proxy.port, mode, self.origins, ca, 1, a.connections)  # warm-up
                for r in range(a.rounds):
                    for name in names[r % len(names) :] + names[: r % len(names)]:
                        rate = traffic.measure(proxies[name], mode, self.origins, ca, a.seconds, a.connections)
                        results.setdefault((section, name), []).append(rate)
                        print(
                            f"  round {r + 1}: {section:9} {name:10} {rate.per_second:7.0f}/s "
                            f"{rate.per_cpu_second:7.0f}/cpu-s",
                            file=sys.stderr,
                            flush=True,
                        )
            finally:
                for proxy in proxies.values():
                    proxy.stop()
        self.origins.stop()
        return results


def report_traffic(
    results: dict[tuple[str, str], list[traffic.Rate]], hosts: int, args: argparse.Namespace
) -> list[str]:
    wall = {k: statistics.median(r.per_second for r in v) for k, v in results.items()}
    cpu = {k: statistics.median(r.per_cpu_second for r in v) for k, v in results.items()}
    runs = {k: ", ".join(f"{r.per_second:.0f}" for r in v) for k, v in results.items()}
    lines = [
        f"Ordinary requests ({args.connections} keep-alive connections, median of {args.rounds} rounds of "
        f"{args.seconds:g} s)",
        "  req/s = per wall-clock second (each round in brackets); req/cpu-s = per second of the proxy's own CPU time,",
        "  which stays steady when other work shares the machine (mitmdump is CPU-bound on one core)",
    ]
    for name, label in (
        ("bare", "bare mitmdump"),
        ("guardian", "mitmdump + Guardian"),
        ("block_list", f"mitmdump + block_list ({hosts} rules)"),
    ):
        for m in ("http", "https"):
            lines.append(
                f"  {label:34} {m.upper():5} {wall[(m, name)]:6.0f} req/s {cpu[(m, name)]:6.0f} req/cpu-s   "
                f"[{runs[(m, name)]}]"
            )

    def ratio(label: str, a: tuple[str, str], b: tuple[str, str], target: str) -> None:
        w, c = wall[a] / wall[b], cpu[a] / cpu[b]
        lines.append(
            f"  {label:30} {w:.3f} (req/s)  {c:.3f} (req/cpu-s)   {verdict(c, TARGETS[target], True)} on req/cpu-s, "
            f"{'met' if w >= TARGETS[target] else 'MISSED'} on req/s"
        )

    for m in ("http", "https"):
        ratio(f"{m.upper()} Guardian / bare", (m, "guardian"), (m, "bare"), "ordinary")
        ratio(f"{m.upper()} Guardian / block_list", (m, "guardian"), (m, "block_list"), "block_list")
        lines.append(
            f"  {'':30} (the most any addon could reach, bare / block_list: "
            f"{cpu[(m, 'bare')] / cpu[(m, 'block_list')]:.3f} req/cpu-s, "
            f"{wall[(m, 'bare')] / wall[(m, 'block_list')]:.3f} req/s)"
        )
    lines.append(
        "Allowed purchases over HTTPS (form POST to the Bilibili gift endpoint, routed to the local origin; each "
        "judged, recorded, settled)"
    )
    for name, label in (("bare", "bare mitmdump"), ("guardian", "mitmdump + Guardian")):
        lines.append(
            f"  {label:34} {wall[('purchases', name)]:6.0f} req/s {cpu[('purchases', name)]:6.0f} req/cpu-s   "
            f"[{runs[('purchases', name)]}]"
        )
    ratio("purchases Guardian / bare", ("purchases", "guardian"), ("purchases", "bare"), "purchases")
    return lines


def report_micro(work: Path, hosts: list[str]) -> list[str]:
    lines = ["Request hook on an ordinary flow (in process, best of 5)"]
    config = work / "hook.toml"
    config.write_text(CONFIG.format(db="hook.db"), encoding="utf-8")
    hooks = micro.request_hooks(config, hosts)
    for name, t in hooks.items():
        lines.append(f"  {name:40} {t * 1e6:8.2f} us")
    lines.append(
        "Detection per request (the hook's core work: host index, then detect; synthetic catalogs, best of 5 rounds)"
    )
    det = micro.detection()
    lines.append(f"  {'request':28} {'10 rules':>10} {'1,000 rules':>12}  ratio")
    for kind in micro.REQUESTS:
        small, big = det[10][kind], det[1000][kind]
        lines.append(
            f"  {kind:28} {small * 1e6:8.2f} us {big * 1e6:9.2f} us  {big / small:.2f}   "
            f"{verdict(big / small, TARGETS['detection'], False)}"
        )
    name, ledger = micro.ledger_queries(work)
    lines.append(
        f"Ledger queries (median of 15; {micro.WEEK_ROWS} attempts in the reviewed week and {micro.WEEK_ROWS} earlier "
        "in its month at both sizes, the rest older history)"
    )
    lines.append(f"  weekly review = {name}")
    lines.append(f"  {'query':28} {'10,000':>10} {'1,000,000':>12}  ratio")
    for q in ("weekly review", "cap check (spending)"):
        small, big = ledger[10_000][q], ledger[1_000_000][q]
        lines.append(
            f"  {q:28} {small * 1e3:7.3f} ms {big * 1e3:9.3f} ms  {big / small:.2f}   "
            f"{verdict(big / small, TARGETS['weekly'], False)}"
        )
    lines.append(
        f"  (filling the ledgers took {ledger[10_000]['fill seconds']:.1f} s and "
        f"{ledger[1_000_000]['fill seconds']:.1f} s)"
    )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=2, help="measured seconds per configuration and round")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--only", choices=("traffic", "micro"))
    args = ap.parse_args()
    catalog = Catalog.load()
    hosts = micro.catalog_hosts(catalog)
    rules = sum(len(a.rules) for a in catalog.apps.values())
    began = time.monotonic()
    lines = [
        f"Guardian benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {os.cpu_count()} CPUs, load "
        "average "
        f"{os.getloadavg()[0]:.1f}, Python {platform.python_version()}, mitmproxy {version('mitmproxy')}",
        f"catalog: {len(catalog.apps)} apps, {rules} rules, {len(hosts)} hosts",
    ]
    with tempfile.TemporaryDirectory(prefix="guardian-bench-") as tmp:
        work = Path(tmp)
        if args.only != "micro":
            lines += report_traffic(Traffic(work, hosts, args).run(), len(hosts), args)
        if args.only != "traffic":
            lines += report_micro(work, hosts)
    lines.append(f"({time.monotonic() - began:.0f} s)")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
