"""Reading the TOML files a parent writes (the config, the rule files): one error type and one table reader.

Every error names the file, the key and the reason, e.g.
``guardian.toml: child[0].caps.day: expected an amount like "30" ...``;
`located` adds the line where the key is written, when it can be found.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class FileError(ValueError):
    """A mistake in a file: `str()` names the file, the key and the reason; `located` adds the line.

    `label` says the key in a parent's words ("Mia's day cap" for ``child[0].caps.day``); when given,
    messages use it instead of the key, which stays in `key`.
    """

    def __init__(self, file: Path | str, key: str, reason: str, line: int | None = None, label: str | None = None):
        self.file, self.key, self.reason, self.line, self.label = str(file), key, reason, line, label
        super().__init__(f"{file}: {self.plain}")

    @property
    def plain(self) -> str:
        """What is wrong without the file: for a parent who changed it on the dashboard."""
        what = self.label or self.key
        return f"{what}: {self.reason}" if what else self.reason

    @property
    def located(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.plain}"

    def labelled(self, label: str) -> FileError:
        """The same error, its key said as `label`."""
        return type(self)(self.file, self.key, self.reason, self.line, label)


def read(path: Path, what: str, error: type[FileError]) -> str:
    """The file's text; `what` ("the config") names it in the error when it cannot be read or is not UTF-8."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise error(path, "", f"cannot read {what}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise error(path, "", f"{what} is not UTF-8 text") from None


@dataclass(frozen=True, slots=True)
class Source:
    """Where a table comes from: the file name and text (to find the line of a key), error type, unknown-key reason."""

    file: Path | str
    text: str
    error: type[FileError]
    unknown: str = "unknown key"

    def fail(self, key: str, reason: str) -> FileError:
        return self.error(self.file, key, reason, locate(self.text, key))


class Table:
    """One TOML table being read: each value parsed with its key named in errors, unknown keys reported.

    A parse function raises ValueError (or TypeError) with the reason; the table adds the file and the key.
    """

    def __init__(self, data: object, key: str, source: Source, wrong: str | None = None):
        if not isinstance(data, dict):
            raise source.fail(key, wrong or f"expected a table, got {type(data).__name__}")
        self.data, self.key, self.source = data, key, source
        self.seen: set[str] = set()

    @classmethod
    def parse(cls, text: str, file: Path | str, error: type[FileError], unknown: str = "unknown key") -> Table:
        """The document's root table; text that is not TOML is an error giving the line where it went wrong."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            m = re.search(r"\(at line (\d+)", str(e))
            line = int(m.group(1)) if m else len(text.splitlines()) if "end of document" in str(e) else None
            raise error(file, "", f"not valid TOML: {e}", line) from None
        return cls(data, "", Source(file, text, error, unknown))

    def sub(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    def error(self, name: str, reason: str) -> FileError:
        return self.source.fail(self.sub(name), reason)

    def get(self, name: str, parse: Callable[[Any], T], default: T) -> T:
        self.seen.add(name)
        if name not in self.data:
            return default
        return self._parse(name, parse)

    def need(self, name: str, kind: type | tuple[type, ...] = str, parse: Callable[[Any], T] | None = None) -> Any:
        """The value of a required key of type `kind` (then parsed by `parse`, if given)."""
        self.seen.add(name)
        if name not in self.data:
            raise self.error(name, "missing")
        value = self.data[name]
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            raise self.error(name, f"expected {names}, got {value!r}")
        return value if parse is None else self._parse(name, parse)

    def _parse(self, name: str, parse: Callable[[Any], T]) -> T:
        try:
            return parse(self.data[name])
        except FileError:
            raise
        except (ValueError, TypeError) as e:
            raise self.error(name, str(e)) from None

    def table(self, name: str, wrong: str | None = None) -> Table:
        """The sub-table `name` (empty when absent); `wrong` is the reason when it is not a table."""
        self.seen.add(name)
        return Table(self.data.get(name, {}), self.sub(name), self.source, wrong)

    def at(self, name: str, index: int, data: object, wrong: str | None = None) -> Table:
        """Item `index` of the array of tables `name` ([[name]]), keyed ``name[index]``."""
        return Table(data, f"{self.sub(name)}[{index}]", self.source, wrong)

    def only(self, keys: Collection[str]) -> None:
        """Report the first key, in file order, that is not one of `keys` (for a fixed grammar, checked first)."""
        for name in self.data:
            if name not in keys:
                raise self.error(name, self.source.unknown)

    def done(self) -> None:
        """Report a key that was never read (checked last, after every get)."""
        extra = sorted(set(self.data) - self.seen)
        if extra:
            raise self.error(extra[0], self.source.unknown)


_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"-]+)\s*\]\]?")


def locate(text: str, key: str) -> int | None:
    """The 1-based line where `key` (``hosts``, ``refusal.json``, ``rule[2].amount``) is written, if found."""
    if not key:
        return None
    lines = text.splitlines()
    m = re.match(r"^(\w+)\[(\d+)\](?:\.(.*))?$", key)
    if m:
        table, index, rest = m.group(1), int(m.group(2)), m.group(3)
        seen, start = -1, None
        for n, line in enumerate(lines):
            h = _HEADER.match(line)
            if h and line.lstrip().startswith("[[") and h.group(1) == table:
                seen += 1
                if seen == index:
                    start = n
                    break
        if start is None:
            return None
        if not rest:
            return start + 1
        return _in_element(lines, start, table, rest.split(".")) or start + 1
    first, _, sub = key.partition(".")
    found = _find_key(lines, 0, first)
    if found is None:
        for n, line in enumerate(lines):
            h = _HEADER.match(line)
            if h and h.group(1) == first:
                return (_find_key(lines, n + 1, sub.split(".")[0]) if sub else None) or n + 1
    return found


def _in_element(lines: list[str], start: int, table: str, parts: list[str]) -> int | None:
    """The line of a key inside one [[table]] element, its sub-tables ([table.caps]) included."""
    end = next(
        (n for n in range(start + 1, len(lines)) if lines[n].lstrip().startswith("[[") and _HEADER.match(lines[n])),
        len(lines),
    )
    for k in range(len(parts) - 1, 0, -1):
        header = ".".join([table, *parts[:k]])
        for n in range(start + 1, end):
            h = _HEADER.match(lines[n])
            if h and not lines[n].lstrip().startswith("[[") and h.group(1) == header:
                return _find_key(lines[:end], n + 1, parts[k]) or n + 1
    return _find_key(lines[:end], start + 1, parts[0])


def _find_key(lines: list[str], start: int, name: str) -> int | None:
    """The line of `name = ...` from `start` up to the next table header."""
    pattern = re.compile(rf"^\s*\"?{re.escape(name)}\"?\s*=")
    for n in range(start, len(lines)):
        if _HEADER.match(lines[n]):
            return None
        if pattern.match(lines[n]):
            return n + 1
    return None
