"""What the commands share: the --config option and the settings loader that turns a bad config into a click error.

Every command takes --config PATH, else GUARDIAN_CONFIG, else the data directory's guardian.toml.
"""

from __future__ import annotations

from pathlib import Path

import click

from guardian import settings

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


def not_readable(path: Path) -> click.ClickException:
    return click.ClickException(
        f"{path}: this account cannot read Guardian's files (they belong to Guardian's service). "
        "Run the command as an administrator (for example `sudo guardian ...`), or use the dashboard."
    )
