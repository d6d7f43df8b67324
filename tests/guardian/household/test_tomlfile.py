"""The one TOML table reader and error type behind the config and the rule files."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardian.household.tomlfile import FileError, Table, locate, read

SHOP = (
    'app = "shop"\ncurrency = "CNY"\nhosts = ["*.shop.example"]\nrefusal = { json = \'{"m": "$message"}\' }\n'
    '[[rule]]\nid = "shop.tip"\nkind = "tip"\nhost = "api.shop.example"\npath = "/tip"\n'
)


class ShopError(FileError):
    pass


def table(text: str, unknown: str = "unknown key") -> Table:
    return Table.parse(text, Path("shop.toml"), ShopError, unknown)


def number(value: object) -> int:
    if not isinstance(value, int):
        raise ValueError(f"expected a number, got {value!r}")
    return value


def test_an_error_names_the_file_the_key_and_the_reason():
    e = FileError("shop.toml", "rule[0].kind", "expected one of gift, tip", 7)
    assert str(e) == "shop.toml: rule[0].kind: expected one of gift, tip"
    assert e.located == "shop.toml:7: rule[0].kind: expected one of gift, tip"
    assert (e.file, e.key, e.reason, e.line) == ("shop.toml", "rule[0].kind", "expected one of gift, tip", 7)
    whole = FileError(Path("shop.toml"), "", "not valid TOML")
    assert str(whole) == whole.located == "shop.toml: not valid TOML"
    assert isinstance(whole, ValueError)


def test_read_names_what_it_could_not_read(tmp_path: Path):
    with pytest.raises(ShopError) as e:
        read(tmp_path / "missing.toml", "the shop file", ShopError)
    assert str(e.value) == f"{tmp_path / 'missing.toml'}: cannot read the shop file: No such file or directory"
    (tmp_path / "gbk.toml").write_bytes('name = "商店"\n'.encode("gbk"))
    with pytest.raises(ShopError, match=r"gbk\.toml: the shop file is not UTF-8 text$"):
        read(tmp_path / "gbk.toml", "the shop file", ShopError)


def test_text_that_is_not_toml_is_an_error_with_its_line():
    with pytest.raises(ShopError) as e:
        table("a = 1\nb = [\n")
    assert e.value.key == "" and e.value.line == 2 and str(e.value).startswith("shop.toml: not valid TOML: ")


def test_get_parses_a_value_and_names_its_key_when_wrong():
    t = table('[caps]\nday = 5\nweek = "lots"\n')
    caps = t.table("caps")
    assert caps.get("day", number, 0) == 5
    assert caps.get("month", number, 0) == 0  # absent: the default, unparsed
    with pytest.raises(ShopError) as e:
        caps.get("week", number, 0)
    assert str(e.value) == "shop.toml: caps.week: expected a number, got 'lots'" and e.value.line == 3


def test_need_checks_presence_and_type():
    t = table('name = "shop"\nopen = true\ncount = 3\n')
    assert t.need("name") == "shop" and t.need("count", int, number) == 3
    with pytest.raises(ShopError, match=r"^shop\.toml: missing: missing$"):
        t.need("missing")
    with pytest.raises(ShopError, match=r"^shop\.toml: open: expected int, got True$"):
        t.need("open", int)  # a TOML boolean is no number
    with pytest.raises(ShopError, match=r"^shop\.toml: count: expected str or list, got 3$"):
        t.need("count", (str, list))


def test_a_value_that_should_be_a_table():
    t = table('caps = 5\nlist = "x"\nrule = [5]\n')
    with pytest.raises(ShopError, match=r"^shop\.toml: caps: expected a table, got int$"):
        t.table("caps")
    with pytest.raises(ShopError, match=r"^shop\.toml: list: expected a table like \{ a = 1 \}$"):
        t.table("list", "expected a table like { a = 1 }")
    with pytest.raises(ShopError) as e:
        t.at("rule", 0, t.data["rule"][0], "expected a [[rule]] table")
    assert (e.value.key, e.value.reason) == ("rule[0]", "expected a [[rule]] table")


def test_only_reports_the_first_unknown_key_in_file_order():
    t = table("b = 1\nzz = 2\naa = 3\n")
    with pytest.raises(ShopError) as e:
        t.only({"b"})
    assert (str(e.value), e.value.line) == ("shop.toml: zz: unknown key", 2)


def test_done_reports_a_key_never_read_with_the_files_own_reason():
    t = table("[caps]\nday = 1\nzz = 2\naa = 3\n", unknown="unknown key (check the spelling)")
    caps = t.table("caps")
    caps.get("day", number, 0)
    with pytest.raises(ShopError, match=r"^shop\.toml: caps\.aa: unknown key \(check the spelling\)$"):
        caps.done()
    t.done()  # caps was read


def test_an_error_from_a_nested_reader_passes_through_unchanged():
    t = table("[outer]\ninner = 1\n")

    def nested(_: object) -> int:
        raise ShopError("other.toml", "elsewhere", "as it was")

    with pytest.raises(ShopError, match=r"^other\.toml: elsewhere: as it was$"):
        t.table("outer").get("inner", nested, 0)


def test_locate_finds_keys_in_tables_and_inline():
    text = SHOP + 'amount = "n"\n[refusal2]\nstatus = 3\n'
    assert locate(text, "currency") == 2
    assert locate(text, "refusal.json") == 4
    assert locate(text, "rule[0].path") == 9
    assert locate(text, "rule[3].path") is None


def test_a_key_in_a_sub_table_of_one_array_element_is_found_there() -> None:
    text = '[[child]]\nname = "Mia"\n[child.caps]\nday = "1"\n'
    text += '[[child]]\nname = "Leo"\n[child.caps]\nweek = "2"\nday = "x"\n'
    assert locate(text, "child[1].caps.day") == 9
    assert locate(text, "child[0].caps.week") == 3  # not Leo's: the header of Mia's caps
    assert locate(text, "child[1].name") == 6
