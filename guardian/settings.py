"""The config and the app catalog together, as a running process loads them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from guardian.catalog.index import Catalog
from guardian.household import configfile
from guardian.household.config import Config
from guardian.household.home import rules_dir


@dataclass(frozen=True, slots=True)
class Settings:
    config: Config
    catalog: Catalog

    def missing_rates(self) -> dict[str, list[str]]:
        """Units some app prices in that household.rates has no rate for, with those apps: their purchases are read
        but refused as unreadable, since no household amount can be given."""
        household = self.config.household
        return {
            code: apps
            for code, apps in sorted(self.catalog.currencies().items())
            if code != household.currency and code not in household.rates
        }


def load(path: Path) -> Settings:
    """Load the catalog (shipped apps plus the parent's rule files) and the config checked against it.

    Raises ValueError (ConfigError or RuleError) naming the file, the key and the reason.
    """
    catalog = Catalog.load([rules_dir(path)])
    return Settings(configfile.load(path, known_apps=catalog.apps), catalog)


def watched_files(path: Path) -> list[Path]:
    folder = rules_dir(path)
    return sorted(folder.glob("*.toml")) if folder.is_dir() else []
