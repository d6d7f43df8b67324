# Sourced by bin/guardian and bin/test: make .venv with the project installed, once per pyproject change.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
extras="${1:-}"
py="${PYTHON:-python3}"
if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    echo "Guardian needs Python 3.12 or newer (mitmproxy 12 does); '$py' is $("$py" --version 2>&1)." >&2
    echo "With pyenv: 'pyenv install 3.12' (the repository's .python-version asks for 3.12)." >&2
    exit 1
fi
venv="$root/.venv"
stamp="$venv/.installed-$(cat "$root/pyproject.toml" | cksum | cut -d' ' -f1)${extras:+-$extras}"
if [ ! -f "$stamp" ]; then
    [ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
    echo "Installing Guardian and its dependencies into .venv ..." >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$root${extras:+[$extras]}" >&2
    rm -f "$venv"/.installed-*
    touch "$stamp"
fi
