"""`guardian export`: every format parses back to the same attempts; traffic text is escaped."""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from guardian.cli import main
from guardian.evidence import export
from guardian.evidence.export import FIELDS
from guardian.evidence.formats import read_csv, render
from guardian.store import journal
from guardian.store.ledger import FAILED, Ledger
from tests.conftest import household_config
from tests.support.ledgers import Buy, record, sql

HOSTILE = "<img src=x onerror=alert(1)>&\"' </td></tr><script>alert(2)</script>"
FORMULA = '=HYPERLINK("http://evil.example","click")'


def local(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00")


# (local time in Shanghai, purchase): ids 1-9 in this order.
DATA = [
    ("2026-03-06T23:59:00", Buy("5")),  # 1: the day before the range
    ("2026-03-07T20:00:00", Buy("12")),  # 2
    ("2026-03-07T20:00:20", Buy("30", recipient=HOSTILE)),  # 3
    ("2026-03-07T20:00:40", Buy("8", recipient=FORMULA, outcome=FAILED)),  # 4
    ("2026-03-07T20:00:50", Buy("50", allowed=False)),  # 5
    ("2026-03-07T23:30:00", Buy("6", app="douyin", recipient=None, client="192.168.1.40", user="mia", mac=None)),  # 6
    ("2026-03-08T00:30:00", Buy("20")),  # 7: the next local day, though still the 7th in UTC
    ("2026-03-07T21:00:00", Buy("100", child="Leo")),  # 8: another child
    ("2026-03-09T00:00:00", Buy("1")),  # 9: the day after the range
]
IN_RANGE = ["2", "3", "4", "5", "6", "7"]


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    config = tmp_path / "guardian.toml"
    config.write_text(household_config(), encoding="utf-8")
    db = tmp_path / "guardian.db"
    ledger = Ledger(db)
    for at, buy in DATA:
        record(ledger, buy, local(at))
    ledger.close()
    return config, db


def run_export(config: Path, fmt: str, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(
        main,
        [
            "export",
            "--config",
            str(config),
            "--child",
            "Mia",
            "--from",
            "2026-03-07",
            "--to",
            "2026-03-08",
            "--format",
            fmt,
            "--out",
            str(out),
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return result.output


def db_attempts(db: Path) -> list[dict]:
    """The same attempts read straight from the database, to compare the exports with."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM attempts WHERE id IN (2, 3, 4, 5, 6, 7) ORDER BY at_ms")]
    seqs = {r[0]: (str(r[1]), r[2]) for r in conn.execute("SELECT ref, seq, hash FROM journal WHERE kind = 'attempt'")}
    conn.close()
    return [
        {
            "id": str(r["id"]),
            "device_ip": r["client_ip"],
            "proxy_user": r["proxy_user"],
            "mac": r["mac"],
            "child": r["child"],
            "app": r["app"],
            "recipient": r["recipient"],
            "amount": r["amount"],
            "app_amount": r["app_amount"],
            "decision": r["decision"],
            "reason": r["reason"],
            "outcome": r["outcome"],
            "journal_seq": seqs[r["id"]][0],
            "journal_hash": seqs[r["id"]][1],
        }
        for r in rows
    ]


def same(exported: list[dict], expected: list[dict]) -> None:
    assert [{k: a[k] for k in e} for a, e in zip(exported, expected, strict=True)] == expected
    assert len(exported) == len(expected)


class Tables(HTMLParser):
    """Collects the cell texts of every table by id, and every start tag seen."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.tags: list[str] = []
        self.current: str | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "table":
            self.current = dict(attrs).get("id")
            self.tables[self.current] = []
        elif tag == "tr" and self.current:
            self.tables[self.current].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.current:
            self.tables[self.current][-1].append("".join(self.cell))
            self.cell = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def test_json_parses_back_to_the_same_attempts(setup, tmp_path):
    config, db = setup
    run_export(config, "json", tmp_path / "pack.json")
    doc = json.loads((tmp_path / "pack.json").read_text(encoding="utf-8"))
    same(doc["attempts"], db_attempts(db))
    assert [a["time"] for a in doc["attempts"]][-2:] == [
        "2026-03-07T23:30:00.000+08:00",
        "2026-03-08T00:30:00.000+08:00",
    ]
    conn = sqlite3.connect(db)
    assert doc["verification"] == {
        "intact": True,
        "head_digest": journal.head(conn),
        "head_seq": 17,
        "entries": 17,
        "problems": [],
    }
    conn.close()
    assert doc["per_app"] == {
        "bilibili": {"attempts": 5, "allowed": 4, "blocked": 1, "spent": "62.00", "refused": "50.00"},
        "douyin": {"attempts": 1, "allowed": 1, "blocked": 0, "spent": "6.00", "refused": "0.00"},
    }
    assert doc["per_day"] == {
        "2026-03-07": {"attempts": 5, "allowed": 4, "blocked": 1, "spent": "48.00", "refused": "50.00"},
        "2026-03-08": {"attempts": 1, "allowed": 1, "blocked": 0, "spent": "20.00", "refused": "0.00"},
    }


def test_csv_parses_back_to_the_same_attempts_and_defuses_formulas(setup, tmp_path):
    config, db = setup
    run_export(config, "csv", tmp_path / "pack.csv")
    text = (tmp_path / "pack.csv").read_text(encoding="utf-8-sig")
    lines = list(csv.reader(text.splitlines()))
    assert lines[0] == list(FIELDS)
    recipient = FIELDS.index("recipient")
    assert lines[3][recipient] == "'" + FORMULA  # a spreadsheet shows it as text, never runs it
    same(read_csv(text), db_attempts(db))
    assert read_csv(text)[2]["recipient"] == FORMULA
    assert any(row[:2] == ["# verification", "intact"] for row in lines)


def test_html_parses_back_to_the_same_attempts_with_everything_escaped(setup, tmp_path):
    config, db = setup
    run_export(config, "html", tmp_path / "pack.html")
    page = (tmp_path / "pack.html").read_text(encoding="utf-8")
    parser = Tables()
    parser.feed(page)
    header, *rows = parser.tables["attempts"]
    assert header == list(FIELDS)
    same([{k: (v or None) for k, v in zip(header, row, strict=True)} for row in rows], db_attempts(db))
    assert "script" not in parser.tags and "img" not in parser.tags
    assert "&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#x27;" in page
    assert "@media print" in page and "thead { display: table-header-group; }" in page
    assert parser.tables["per-app"][1][:2] == ["bilibili", "5"]


def test_the_cover_speaks_both_languages_and_says_what_the_record_shows(setup):
    _, db = setup
    conn = sqlite3.connect(db)
    pack = export.build(
        conn,
        "Mia",
        datetime(2026, 3, 7).date(),
        datetime(2026, 3, 8).date(),
        "Asia/Shanghai",
        "CNY",
        datetime(2026, 3, 10, tzinfo=UTC),
    )
    head = journal.head(conn)
    conn.close()
    assert pack.max_per_minute == 4  # ids 2-5 within 50 seconds
    assert pack.max_hour_amount == Decimal("42")  # 12 + 30; the failed 8 and the refused 50 were not spent
    assert pack.devices == [("192.168.1.23 / MAC aa:bb:cc:dd:ee:01", 5), ("192.168.1.40 / user mia", 1)]
    assert pack.hours[0] == (20, 4)
    assert [(r[0], r[1], r[2]) for r in pack.recipients][:2] == [
        ("7734", 3, Decimal("32")),
        (HOSTILE, 1, Decimal("30")),
    ]
    doc = json.loads(render(pack, "json"))
    en, zh = "\n".join(doc["cover"]["en"]), "\n".join(doc["cover"]["zh"])
    assert "How this record was made" in en and "记录方式" in zh
    assert "at most 4 attempts within one minute" in en and "一分钟内最多 4 次尝试" in zh
    assert "192.168.1.40 / user mia" in en and "192.168.1.40 / user mia" in zh
    assert "20:00-20:59 (4)" in en
    assert head in en and head in zh and "intact" in en and "完整" in zh


def test_an_export_of_a_tampered_record_says_so(setup, tmp_path):
    config, db = setup
    sql(db, "UPDATE attempts SET amount = '1' WHERE id = 3")
    output = run_export(config, "json", tmp_path / "pack.json")
    doc = json.loads((tmp_path / "pack.json").read_text(encoding="utf-8"))
    assert doc["verification"]["intact"] is False
    assert doc["verification"]["problems"][0].startswith("attempts id 3: edited")
    assert "WARNING: the record does NOT verify" in doc["cover"]["en"][-1]
    assert "does not verify" in output


def test_bad_ranges_get_clear_errors(setup):
    config, _ = setup
    runner = CliRunner()
    bad_date = runner.invoke(
        main, ["export", "--config", str(config), "--child", "Mia", "--from", "7/3/2026", "--to", "2026-03-08"]
    )
    backwards = runner.invoke(
        main, ["export", "--config", str(config), "--child", "Mia", "--from", "2026-03-08", "--to", "2026-03-07"]
    )
    assert bad_date.exit_code == 2 and "expected a date like 2026-03-07, got '7/3/2026'" in bad_date.output
    assert backwards.exit_code == 1 and "the range ends (2026-03-07) before it starts (2026-03-08)" in backwards.output


def test_an_unknown_child_is_an_error_listing_the_children_and_nothing_is_written(setup, tmp_path):
    config, _ = setup
    out = tmp_path / "pack.html"
    args = ["export", "--config", str(config), "--from", "2026-03-07", "--to", "2026-03-08", "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--child", "Mya"])
    assert result.exit_code == 1
    # Leo is in the record but not in the config: a removed child's evidence stays exportable.
    assert "there is no child called 'Mya'; the children are: Mia; in the record but no longer in the config: Leo" in (
        result.output
    )
    assert not out.exists()
    result = CliRunner().invoke(main, [*args, "--child", "Leo", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["child"] == "Leo"


def test_a_renamed_child_is_exported_under_the_new_name_with_the_records_of_the_old(setup, tmp_path):
    config, _ = setup
    config.write_text(household_config().replace('name = "Mia"', 'id = "Mia"\nname = "Mila"'), encoding="utf-8")
    out = tmp_path / "pack.json"
    args = ["--from", "2026-03-07", "--to", "2026-03-08", "--format", "json", "--out", str(out)]
    for said in ("Mila", "Mia"):  # the name, or the id
        result = CliRunner().invoke(main, ["export", "--config", str(config), "--child", said, *args])
        assert result.exit_code == 0, result.output
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert (doc["child"], doc["child_id"]) == ("Mila", "Mia")
        assert [a["id"] for a in doc["attempts"]] == IN_RANGE
        assert {(a["child"], a["child_id"]) for a in doc["attempts"]} == {("Mila", "Mia")}
        assert "Child: Mila." in "\n".join(doc["cover"]["en"])
