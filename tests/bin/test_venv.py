"""bin/guardian, bin/test and bin/_venv.sh on a copy of the repository: set up once, offline when nothing changed.

Each test works on a fresh copy of the checkout (its tracked and unignored files, no .venv). The copy's venv
borrows this test run's installed packages through a .pth file instead of downloading them, so the scripts'
own logic runs for real (venv, pip install -e, the stamp, the fallback) while no package index is needed;
the index pip is pointed at is a local socket that counts every connection made to it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PY = f"python{sys.version_info.major}.{sys.version_info.minor}"


class Index:
    """A TCP listener standing in for the package index: accepts, counts and closes every connection."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/simple"


@pytest.fixture
def index() -> Iterator[Index]:
    served = Index()
    yield served
    served.sock.close()


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """The checkout's files as a fresh clone has them, and a PYTHON that makes venvs borrowing our packages."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    repo = tmp_path / "repo"
    for name in filter(None, listed):
        source = ROOT / name.decode()
        if source.is_file():
            (repo / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name.decode())
    base = getattr(sys, "_base_executable", sys.executable)
    borrowed = sysconfig.get_paths()["purelib"]
    python = tmp_path / "python"
    python.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = -m ] && [ "$2" = venv ]; then\n'
        f'  "{base}" -m venv --without-pip "$3" || exit 1\n'
        f'  echo "{borrowed}" > "$3/lib/{PY}/site-packages/borrowed.pth"; exit 0\n'
        "fi\n"
        f'exec "{base}" "$@"\n'
    )
    python.chmod(0o755)
    return repo


def run(repo: Path, *argv: str, index: Index, pyproject_hint: str = "") -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHON": str(repo.parent / "python"),
        "PIP_CONFIG_FILE": os.devnull,  # this machine's pip config (local wheel folders) is not a fresh clone's
        "PIP_INDEX_URL": index.url,
        "PIP_EXTRA_INDEX_URL": "",
        "PIP_FIND_LINKS": "",
        "PIP_RETRIES": "0",
        "GUARDIAN_HOME": str(repo.parent / "home"),
        "LANGUAGE": "en",
    }
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run([str(repo / argv[0]), *argv[1:]], env=env, capture_output=True, text=True, timeout=300)


def installs(result: subprocess.CompletedProcess) -> int:
    return result.stderr.count("Installing Guardian")


def test_a_fresh_clone_answers_help_and_installs_once(clone: Path, index: Index):
    first = run(clone, "bin/guardian", "--help", index=index)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Usage: guardian"), first.stdout
    assert installs(first) == 1
    assert "extra" not in first.stderr and "placeholder" not in first.stderr
    # Another subcommand, and arguments pip once read as an extra, install nothing again.
    for argv in (("bin/guardian", "check", "--help"), ("bin/guardian", "run", "--help"), ("bin/guardian", "--version")):
        again = run(clone, *argv, index=index)
        assert installs(again) == 0, (argv, again.stderr)
    assert index.connections == 0


def test_bin_test_and_bin_guardian_share_one_install(clone: Path, index: Index):
    assert installs(run(clone, "bin/guardian", "--help", index=index)) == 1
    tested = run(clone, "bin/test", "--version", index=index)
    assert tested.returncode == 0, tested.stderr
    assert installs(tested) == 1  # the test tools are added once ...
    assert (clone / ".venv/.installed").read_text().split()[1:] == ["test"]
    for argv in (("bin/guardian", "--help"), ("bin/test", "--version"), ("bin/guardian", "--help")):
        assert installs(run(clone, *argv, index=index)) == 0, argv  # ... and nobody reinstalls after that
    assert index.connections == 0


def test_a_changed_pyproject_without_an_index_runs_the_existing_venv(clone: Path, index: Index):
    assert installs(run(clone, "bin/guardian", "--help", index=index)) == 1
    stamp = (clone / ".venv/.installed").read_text()
    pyproject = clone / "pyproject.toml"
    # A dependency only an index could provide: pip must ask for it, and nobody answers.
    text = pyproject.read_text().replace(
        "dependencies = [\n", 'dependencies = [\n    "guardian-probe-not-here>=1",\n', 1
    )
    pyproject.write_text(text)
    offline = run(clone, "bin/guardian", "--help", index=index)
    assert offline.returncode == 0, offline.stderr
    assert offline.stdout.startswith("Usage: guardian")
    assert index.connections > 0  # pip did try the index
    said = [line for line in offline.stderr.splitlines() if line.strip()]
    assert said[-1].startswith("Could not update .venv"), offline.stderr
    assert "Traceback" not in offline.stderr
    assert (clone / ".venv/.installed").read_text() == stamp  # the next run tries again


def test_the_scripts_read_no_argument_into_the_installer():
    # The sourced script would see its caller's arguments: it must take none and read no $1 outside a function.
    text = (ROOT / "bin/_venv.sh").read_text()
    body = text.split("venv_ready() {", 1)[0]
    assert "$1" not in body and "${1" not in body
    for script in ("guardian", "test", "words"):
        lines = (ROOT / "bin" / script).read_text().splitlines()
        sourcing = [line for line in lines if "_venv.sh" in line]
        assert sourcing == ['source "$(dirname "$0")/_venv.sh"'], script
