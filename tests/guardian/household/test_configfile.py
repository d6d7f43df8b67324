"""Reading the config file: every key, its defaults, and the exact text of every error."""

import shutil
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from guardian import settings
from guardian.catalog.index import Catalog
from guardian.household import config, configfile
from guardian.household.config import ALLOW, ConfigError, Listen
from guardian.household.money import Money
from guardian.household.windows import UNRESTRICTED

REPO = Path(__file__).resolve().parents[3]
FILE = Path("/home/parent/guardian/guardian.toml")
KNOWN = ("bilibili", "douyin", "kuaishou")

FULL = """\
[household]
currency = "CNY"
timezone = "Europe/Berlin"
week_starts = "Sunday"
unknown_devices = "Mia"
rates = { usd = "7.2", EUR = 7.8 }

[storage]
path = "data/ledger.db"

[proxy]
listen = "0.0.0.0:8081"

[dashboard]
listen = "[::1]:9000"

[[child]]
name = "Mia"
devices = ["192.168.1.23", "user:mia"]

[child.caps]
per_purchase = "30"
day = "50 CNY"
week = "200.5"
month = "500"
per_minute = 3

[child.windows]
purchases = ["sat-sun 10:00-20:00"]

[child.windows.apps]
kuaishou = ["mon-fri 18:00-20:00", "sat-sun 09:00-21:00"]
bilibili = "daily 07:00-21:30"

[[child]]
name = "Leo"
devices = ["192.168.1.40/30"]

[child.caps]
week = "30"

[child.windows]
purchases = []
"""


def parse(text: str, known: tuple[str, ...] = KNOWN) -> config.Config:
    return configfile.parse(textwrap.dedent(text), FILE, known)


def test_full_config() -> None:
    c = parse(FULL)
    h = c.household
    assert (h.currency, h.timezone, h.week_starts, h.unknown_devices) == ("CNY", "Europe/Berlin", 6, "Mia")
    assert h.rates == {"USD": Decimal("7.2"), "EUR": Decimal("7.8")}
    assert h.calendar.tz.key == "Europe/Berlin" and h.calendar.week_starts == 6
    assert c.storage == FILE.parent / "data" / "ledger.db"
    assert (c.proxy, c.dashboard) == (Listen("0.0.0.0", 8081), Listen("::1", 9000))
    assert [ch.name for ch in c.children] == ["Mia", "Leo"]

    mia, leo = c.children
    assert [d.text for d in mia.devices] == ["192.168.1.23", "user:mia"]
    assert mia.caps.per_purchase == Money(Decimal("30"), "CNY")
    assert mia.caps.day == Money(Decimal("50"), "CNY")
    assert mia.caps.week == Money(Decimal("200.5"), "CNY")
    assert mia.caps.month == Money(Decimal("500"), "CNY")
    assert mia.caps.per_minute == 3
    assert mia.purchases.texts() == ["sat-sun 10:00-20:00"]
    assert mia.app_schedule("kuaishou").texts() == ["mon-fri 18:00-20:00", "sat-sun 09:00-21:00"]
    assert mia.app_schedule("bilibili").texts() == ["daily 07:00-21:30"]
    assert mia.app_schedule("douyin") is UNRESTRICTED

    assert leo.caps.week == Money(Decimal("30"), "CNY")
    assert (leo.caps.per_purchase, leo.caps.day, leo.caps.month, leo.caps.per_minute) == (None, None, None, None)
    assert leo.purchases.windows == ()  # never
    assert leo.apps == {}


def test_defaults() -> None:
    c = parse("")
    h = c.household
    assert (h.currency, h.timezone, h.week_starts, h.unknown_devices, h.rates) == ("CNY", "Asia/Shanghai", 0, ALLOW, {})
    assert h.language == "zh"  # the families Guardian is made for read Chinese
    assert c.storage == FILE.parent / "guardian.db"
    assert (c.proxy, c.dashboard) == (Listen("127.0.0.1", 8080), Listen("127.0.0.1", 8765))
    assert c.children == ()


def test_child_defaults() -> None:
    child = parse('[[child]]\nname = " Mia "\n').children[0]
    assert child.name == "Mia"
    assert child.devices == ()
    assert child.caps == config.Caps()
    assert child.purchases is UNRESTRICTED
    assert child.apps == {}


@pytest.mark.parametrize(
    ("storage", "expected"),
    [
        ("guardian.db", FILE.parent / "guardian.db"),
        ("data/ledger.db", FILE.parent / "data" / "ledger.db"),
        ("../shared/ledger.db", FILE.parent / ".." / "shared" / "ledger.db"),
        ("/var/lib/guardian/ledger.db", Path("/var/lib/guardian/ledger.db")),
    ],
)
def test_storage_path_is_relative_to_the_config_folder(storage: str, expected: Path) -> None:
    assert parse(f'[storage]\npath = "{storage}"\n').storage == expected


def test_storage_path_follows_a_relative_config_path() -> None:
    c = configfile.parse('[storage]\npath = "ledger.db"\n', Path("conf/guardian.toml"))
    assert c.storage == Path("conf/ledger.db")


def test_caps_follow_the_household_currency() -> None:
    c = parse('[household]\ncurrency = "usd"\n[[child]]\nname = "Mia"\n[child.caps]\nday = "5 USD"\nweek = "7"\n')
    assert c.household.currency == "USD"
    assert c.children[0].caps.day == Money(Decimal(5), "USD")
    assert c.children[0].caps.week == Money(Decimal(7), "USD")


def test_unknown_app_names_are_accepted_without_a_catalog() -> None:
    c = parse('[[child]]\nname = "Mia"\n[child.windows.apps]\ntiktok = ["daily 10:00-11:00"]\n', known=())
    assert c.children[0].app_schedule("tiktok").texts() == ["daily 10:00-11:00"]


WHOLE = "expected a whole number of purchases from 0 to 1000, got "
UNKNOWN = "unknown key (check the spelling against the README's config reference)"
CHILD = '[[child]]\nname = "Mia"\n'


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        # Household.
        ('[household]\nlanguage = "fr"\n', "household.language", 'expected "zh" (中文) or "en" (English), got \'fr\''),
        ("[household]\nlanguage = 1\n", "household.language", 'expected "zh" (中文) or "en" (English), got 1'),
        (
            '[household]\ntimezone = "Mars/Olympus"\n',
            "household.timezone",
            'unknown time zone \'Mars/Olympus\'; use a name like "Asia/Shanghai" or "Europe/Berlin"',
        ),
        (
            '[household]\ntimezone = "../../etc/passwd"\n',
            "household.timezone",
            'unknown time zone \'../../etc/passwd\'; use a name like "Asia/Shanghai" or "Europe/Berlin"',
        ),
        ('[household]\ntimezone = ""\n', "household.timezone", "expected text, got ''"),
        ("[household]\ntimezone = 8\n", "household.timezone", "expected text, got 8"),
        (
            '[household]\ncurrency = "yuan"\n',
            "household.currency",
            "expected a three-letter currency code like \"CNY\", got 'yuan'",
        ),
        (
            '[household]\ncurrency = "C1Y"\n',
            "household.currency",
            "expected a three-letter currency code like \"CNY\", got 'C1Y'",
        ),
        (
            '[household]\nweek_starts = "funday"\n',
            "household.week_starts",
            "expected a weekday name like \"monday\", got 'funday'",
        ),
        ("[household]\nweek_starts = 1\n", "household.week_starts", "expected text, got 1"),
        (
            '[household]\nunknown_devices = "Nobody"\n',
            "household.unknown_devices",
            'expected "allow" or a child\'s name (no children yet)',
        ),
        (
            '[household]\nunknown_devices = "Nobody"\n' + CHILD,
            "household.unknown_devices",
            'expected "allow" or a child\'s name (Mia)',
        ),
        (
            '[household]\nunknown_devices = "mia"\n' + CHILD,
            "household.unknown_devices",
            'expected "allow" or a child\'s name (Mia)',
        ),
        ('[household]\nrates = { USD = "0" }\n', "household.rates", "rate for USD must be above zero"),
        (
            '[household]\nrates = { USD = "abc" }\n',
            "household.rates",
            "rate for USD: expected a positive number as text like \"7.2\", got 'abc'",
        ),
        (
            '[household]\nrates = { USD = "-7" }\n',
            "household.rates",
            "rate for USD: expected a positive number as text like \"7.2\", got '-7'",
        ),
        (
            "[household]\nrates = { USD = true }\n",
            "household.rates",
            'rate for USD: expected a positive number as text like "7.2", got True',
        ),
        ('[household]\nrates = "7.2"\n', "household.rates", 'expected a table like { USD = "7.2" }'),
        ('[household]\ncolour = "blue"\n', "household.colour", UNKNOWN),
        ("household = 5\n", "household", "expected a table, got int"),
        # Top level, storage, listeners.
        ("extra = 1\n", "extra", UNKNOWN),
        ('[storage]\npath = ""\n', "storage.path", "expected text, got ''"),
        ('[storage]\npaht = "x.db"\n', "storage.paht", UNKNOWN),
        ('[proxy]\nlisten = "8080"\n', "proxy.listen", "expected HOST:PORT like \"127.0.0.1:8080\", got '8080'"),
        ("[proxy]\nlisten = 8080\n", "proxy.listen", 'expected HOST:PORT like "127.0.0.1:8080", got 8080'),
        ("[proxy]\nport = 8080\n", "proxy.port", UNKNOWN),
        (
            '[dashboard]\nlisten = "localhost:99999"\n',
            "dashboard.listen",
            "expected HOST:PORT like \"127.0.0.1:8080\", got 'localhost:99999'",
        ),
        # Children.
        ("child = 5\n", "child", "write each child as a [[child]] table"),
        ("child = [5]\n", "child[0]", "expected a table, got int"),
        ("[[child]]\ndevices = []\n", "child[0].name", "every child needs a name"),
        ("[[child]]\nname = 5\n", "child[0].name", "expected text, got 5"),
        ('[[child]]\nname = "  "\n', "child[0].name", "expected text, got '  '"),
        (CHILD + "device = []\n", "child[0].device", UNKNOWN),
        (CHILD + 'devices = "192.168.1.2"\n', "child[0].devices", "expected a list, got '192.168.1.2'"),
        (
            CHILD + 'devices = ["192.168.1.1/24"]\n',
            "child[0].devices",
            "'192.168.1.1/24' is not an IP address, a CIDR range like 192.168.1.0/24, or user:NAME (192.168.1.1/24 "
            "has host bits set)",
        ),
        (
            CHILD + 'devices = ["user:mia lee"]\n',
            "child[0].devices",
            "'user:mia lee': a proxy user is written user:NAME with letters, digits, . _ @ -",
        ),
        # Caps.
        (
            CHILD + '[child.caps]\nday = "lots"\n',
            "child[0].caps.day",
            'expected a non-negative amount like "30" or "18.8", got \'lots\'',
        ),
        (
            CHILD + "[child.caps]\nday = 30\n",
            "child[0].caps.day",
            'expected an amount as text like "30" or "18.8", got 30',
        ),
        (
            CHILD + '[child.caps]\nweek = "-5"\n',
            "child[0].caps.week",
            'expected a non-negative amount like "30" or "18.8", got \'-5\'',
        ),
        (
            CHILD + '[child.caps]\nmonth = "30 USD"\n',
            "child[0].caps.month",
            "amount '30 USD' is in USD, but the household currency is CNY",
        ),
        (
            CHILD + '[child.caps]\nper_purchase = "1e3"\n',
            "child[0].caps.per_purchase",
            'expected a non-negative amount like "30" or "18.8", got \'1e3\'',
        ),
        (CHILD + "[child.caps]\nper_minute = -1\n", "child[0].caps.per_minute", WHOLE + "-1"),
        (CHILD + "[child.caps]\nper_minute = 1001\n", "child[0].caps.per_minute", WHOLE + "1001"),
        (CHILD + "[child.caps]\nper_minute = true\n", "child[0].caps.per_minute", WHOLE + "True"),
        (CHILD + '[child.caps]\nper_minute = "3"\n', "child[0].caps.per_minute", WHOLE + "'3'"),
        (CHILD + "[child.caps]\nper_minute = 2.5\n", "child[0].caps.per_minute", WHOLE + "2.5"),
        (CHILD + '[child.caps]\ndayly = "30"\n', "child[0].caps.dayly", UNKNOWN),
        (CHILD + 'caps = "30"\n', "child[0].caps", "expected a table, got str"),
        (
            CHILD + CHILD.replace("Mia", "Leo") + '[child.caps]\nday = "lots"\n',
            "child[1].caps.day",
            'expected a non-negative amount like "30" or "18.8", got \'lots\'',
        ),
        # Windows.
        (
            CHILD + '[child.windows]\npurchases = ["mon 25:00-26:00"]\n',
            "child[0].windows.purchases",
            "'mon 25:00-26:00': '25:00' is not a time like 18:00",
        ),
        (
            CHILD + "[child.windows]\npurchases = 5\n",
            "child[0].windows.purchases",
            'expected a list of windows like ["mon-fri 18:00-20:00"], got 5',
        ),
        (CHILD + '[child.windows]\npurchase = ["daily 10:00-11:00"]\n', "child[0].windows.purchase", UNKNOWN),
        (
            CHILD + '[child.windows.apps]\nkuaishou = ["someday 10:00-11:00"]\n',
            "child[0].windows.apps.kuaishou",
            "'someday 10:00-11:00': 'someday' is not a day or day range like mon-fri (days: mon, tue, wed, thu, fri, "
            "sat, sun)",
        ),
        (
            CHILD + '[child.windows.apps]\ntiktok = ["daily 10:00-11:00"]\n',
            "child[0].windows.apps.tiktok",
            "unknown app; known apps: bilibili, douyin, kuaishou",
        ),
        (
            CHILD + '[child.windows.apps]\nBilibili = ["daily 10:00-11:00"]\n',
            "child[0].windows.apps.Bilibili",
            "unknown app; known apps: bilibili, douyin, kuaishou",
        ),
        (CHILD + "[child.windows]\napps = 5\n", "child[0].windows.apps", "expected a table, got int"),
        # Duplicates across children.
        (CHILD + CHILD, "child[1].name", "two children are called 'Mia'"),
        (CHILD + CHILD.replace("Mia", "Leo") + CHILD, "child[2].name", "two children are called 'Mia'"),
        (
            CHILD + 'devices = ["192.168.1.23"]\n' + CHILD.replace("Mia", "Leo") + 'devices = ["192.168.1.23"]\n',
            "child[1].devices",
            "192.168.1.23 is already listed for Mia",
        ),
        (
            CHILD + 'devices = ["user:mia"]\n' + CHILD.replace("Mia", "Leo") + 'devices = ["user:mia"]\n',
            "child[1].devices",
            "user:mia is already listed for Mia",
        ),
        (CHILD + 'devices = ["10.0.0.2", "10.0.0.2"]\n', "child[0].devices", "10.0.0.2 is already listed for Mia"),
        # The same device written two ways is still the same device.
        (
            CHILD + 'devices = ["192.168.1.23"]\n' + CHILD.replace("Mia", "Leo") + 'devices = ["192.168.1.23/32"]\n',
            "child[1].devices",
            "192.168.1.23/32 is already listed for Mia",
        ),
        (
            CHILD + 'devices = ["fd00::1"]\n' + CHILD.replace("Mia", "Leo") + 'devices = ["fd00:0::1"]\n',
            "child[1].devices",
            "fd00:0::1 is already listed for Mia",
        ),
        (
            CHILD + 'devices = ["10.0.0.0/24"]\n' + CHILD.replace("Mia", "Leo") + 'devices = ["10.0.0.0/24 "]\n',
            "child[1].devices",
            "10.0.0.0/24 is already listed for Mia",
        ),
    ],
)
def test_config_errors_name_file_key_and_reason(text: str, key: str, reason: str) -> None:
    with pytest.raises(ConfigError) as e:
        configfile.parse(text, FILE, KNOWN)
    assert (e.value.file, e.value.key, e.value.reason) == (str(FILE), key, reason)
    assert str(e.value) == f"{FILE}: {key}: {reason}"


@pytest.mark.parametrize(
    "text",
    [
        "[household\n",
        "[household]\ncurrency = CNY\n",
        '[household]\ncurrency = "CNY"\ncurrency = "USD"\n',
        '[[child]]\nname = "Mia"\n[child.caps]\nday = "1"\n[child.caps]\nweek = "2"\n',
    ],
)
def test_bad_toml_names_the_file(text: str) -> None:
    with pytest.raises(ConfigError) as e:
        configfile.parse(text, FILE)
    assert e.value.key == ""
    assert str(e.value).startswith(f"{FILE}: not valid TOML: ")
    assert "(at line" in str(e.value)


def test_load_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "guardian.toml"
    path.write_text('[storage]\npath = "ledger.db"\n[[child]]\nname = "Mia"\n', encoding="utf-8")
    c = configfile.load(str(path))
    assert c.path == path
    assert c.storage == tmp_path / "ledger.db"
    assert [ch.name for ch in c.children] == ["Mia"]


def test_load_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.toml"
    with pytest.raises(ConfigError) as e:
        configfile.load(path)
    assert str(e.value) == f"{path}: cannot read the config: No such file or directory"


def test_load_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "guardian.toml"
    path.write_bytes('[[child]]\nname = "米娅"\n'.encode("gbk"))
    with pytest.raises(ConfigError) as e:
        configfile.load(path)
    assert str(e.value) == f"{path}: the config is not UTF-8 text"


def test_load_error_in_a_file_names_that_file(tmp_path: Path) -> None:
    path = tmp_path / "guardian.toml"
    path.write_text('[[child]]\nname = "Mia"\n[child.caps]\nday = "lots"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"guardian\.toml: child\[0\]\.caps\.day: expected a non-negative amount"):
        configfile.load(path)


# The config files we ship must load against the apps we ship.


def _load_copy(source: Path, tmp_path: Path) -> settings.Settings:
    path = tmp_path / "guardian.toml"
    shutil.copy(source, path)
    return settings.load(path)


def test_shipped_template_parses(tmp_path: Path) -> None:
    s = _load_copy(REPO / "guardian" / "household" / "templates" / "guardian.toml", tmp_path)
    c = s.config
    assert set(s.catalog.apps) >= set(KNOWN)
    assert c.storage == tmp_path / "guardian.db"
    assert c.household.unknown_devices == "Child"
    (child,) = c.children
    assert child.name == "Child" and child.devices == ()
    assert child.caps == config.Caps(*(Money(Decimal(v), "CNY") for v in ("30", "50", "200", "500")), per_minute=3)
    assert child.purchases.texts() == ["sat-sun 10:00-20:00"]
    assert child.app_schedule("kuaishou").texts() == ["mon-fri 18:00-20:00", "sat-sun 09:00-21:00"]
    # Every device is the child until the parent says otherwise.
    assert c.child_for("192.168.1.99", None) is child


def test_template_is_the_default_config_text() -> None:
    from guardian.household.home import default_config_text

    assert default_config_text() == (REPO / "guardian" / "household" / "templates" / "guardian.toml").read_text(
        encoding="utf-8"
    )


def test_shipped_example_parses(tmp_path: Path) -> None:
    s = _load_copy(REPO / "examples" / "guardian.toml", tmp_path)
    c = s.config
    assert c.household.rates == {"USD": Decimal("7.2")}
    assert c.proxy == Listen("0.0.0.0", 8080)
    mia, leo = c.children
    assert (mia.name, leo.name) == ("Mia", "Leo")
    assert mia.app_schedule("bilibili").texts() == ["daily 07:00-21:30"]
    assert leo.purchases.windows == ()
    assert c.child_for("192.168.1.42", None) is leo
    assert c.child_for("192.168.1.23", None) is mia
    assert c.child_for("192.168.1.99", None) is None


def test_example_and_template_parse_with_catalog_app_ids() -> None:
    apps = Catalog.load().apps
    for source in (
        REPO / "guardian" / "household" / "templates" / "guardian.toml",
        REPO / "examples" / "guardian.toml",
    ):
        c = configfile.parse(source.read_text(encoding="utf-8"), source, apps)
        for child in c.children:
            assert set(child.apps) <= set(apps)


@pytest.mark.parametrize(("text", "language"), [("en", "en"), ("zh", "zh"), ("zh-CN", "zh"), ("zh_Hans", "zh")])
def test_household_language(text: str, language: str) -> None:
    assert parse(f'[household]\nlanguage = "{text}"\n').household.language == language


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ('"../../etc"', "expected the name of an account on this computer"),
        ('"dad\\nmia"', "expected the name of an account on this computer"),
        ("3", "expected text, got 3"),
    ],
)
def test_desktop_user_is_an_account_name(tmp_path, value, error):
    from guardian.household.configfile import parse

    assert parse('[notifications]\ndesktop_user = "dad"\n', tmp_path / "g.toml").desktop_user == "dad"
    assert parse("", tmp_path / "g.toml").desktop_user is None
    with pytest.raises(ValueError, match=error):
        parse(f"[notifications]\ndesktop_user = {value}\n", tmp_path / "g.toml")
