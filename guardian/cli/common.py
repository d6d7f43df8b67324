"""What the commands share: the --config option, the settings loader that turns a bad config into a click error,
and the language a command speaks.

Every command takes --config PATH, else GUARDIAN_CONFIG, else the data directory's guardian.toml.
A command speaks the household's language (``[household] language``), unless the terminal's locale
(LANGUAGE, LC_ALL, LC_MESSAGES, LANG) asks for Chinese or English.
"""

from __future__ import annotations

from pathlib import Path

import click

from guardian import settings, words
from guardian.words import Words

config_option = click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Config file (default: GUARDIAN_CONFIG, else guardian.toml in the data directory).",
)


# Tests point install and setup at a scratch folder instead of "/".
root_option = click.option("--root", type=click.Path(path_type=Path), default=Path("/"), hidden=True)


def load_settings(path: Path) -> settings.Settings:
    """The config and the catalog at `path`; a mistake in either exits with its file, key and reason."""
    try:
        return settings.load(path)
    except PermissionError:
        raise not_readable(path) from None
    except ValueError as e:
        if isinstance(e.__cause__, PermissionError) or "Permission denied" in str(e):
            raise not_readable(path) from None
        raise click.ClickException(str(e)) from None


def words_for(s: settings.Settings | None = None) -> Words:
    """The command's language: the terminal's when it asks for zh or en, else the household's (zh by default)."""
    household = s.config.household.language if s is not None else words.DEFAULT
    return words.of(words.from_environment() or household)


def not_readable(path: Path) -> click.ClickException:
    _ = words_for()  # the household's setting is in the files this account cannot read
    return click.ClickException(
        _(
            "%(path)s: this account cannot read Guardian's files (they belong to Guardian's service). "
            "Run the command as an administrator (for example `sudo guardian ...`), or use the dashboard.",
            path=path,
        )
    )


def rates_warning(_: Words, path: Path, code: str, apps: list[str]) -> str:
    """A unit some app prices in without a rate in household.rates: its purchases are read but refused."""
    return _(
        "warning: %(path)s: household.rates has no %(code)s rate; purchases in %(apps)s are read but refused as "
        "unreadable, since no household amount can be given",
        path=path,
        code=code,
        apps=", ".join(apps),
    )
