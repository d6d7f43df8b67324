# Sourced by bin/guardian, bin/test and bin/words: sets $root and $venv and defines venv_ready.
#   venv_ready          .venv with Guardian installed
#   venv_ready test     ... and the test tools
# The venv is (re)installed once per change of pyproject.toml, keeping every extra it had: bin/guardian and
# bin/test share one stamp and never make each other reinstall. Nothing here reads positional arguments: a
# sourced script sees its caller's, and they once reached pip as an "extra" (`placeholder[--help]`).
# With pyproject.toml unchanged nothing is contacted at all; when it changed and no package index answers,
# the existing venv runs, with a one-line warning.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"

venv_ready() {
    local want="${1:-}" stamp="$venv/.installed" sum had_sum="" had="" extras log old
    sum="$(cksum <"$root/pyproject.toml" | cut -d' ' -f1)"
    if [ -f "$stamp" ]; then
        read -r had_sum had <"$stamp" || true
    else
        for old in "$venv"/.installed-*-*; do [ -e "$old" ] && had="${old##*-}"; done  # an older checkout's stamp
    fi
    if [ "$had_sum" = "$sum" ] && { [ -z "$want" ] || [[ ",$had," == *",$want,"* ]]; }; then
        return 0
    fi
    extras="$had"  # an install for bin/guardian keeps bin/test's tools, and the other way round
    [ -z "$want" ] || [[ ",$extras," == *",$want,"* ]] || extras="${extras:+$extras,}$want"
    if [ ! -x "$venv/bin/python" ]; then
        local py="${PYTHON:-python3}"
        if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            echo "Guardian needs Python 3.12 or newer (mitmproxy 12 does); '$py' is $("$py" --version 2>&1)." >&2
            echo "With pyenv: 'pyenv install 3.12' (the repository's .python-version asks for 3.12)." >&2
            exit 1
        fi
        "$py" -m venv "$venv"
    fi
    echo "Installing Guardian${extras:+ with its $extras tools} into .venv (once per change of pyproject.toml) ..." >&2
    log="$venv/install.log"
    local pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
    # The build backend goes into the venv itself (no isolated build env to download each time), so a
    # reinstall whose dependencies are all present needs no package index.
    if "${pip[@]}" "setuptools>=77" >"$log" 2>&1 &&
        "${pip[@]}" --no-build-isolation -e "$root${extras:+[$extras]}" >>"$log" 2>&1; then
        rm -f "$venv"/.installed-*  # the stamps of older checkouts, one per extra
        echo "$sum $extras" >"$stamp"
    elif "$venv/bin/python" -c 'import guardian.cli' >/dev/null 2>&1; then
        echo "Could not update .venv (no package index reachable? see .venv/install.log); running what is installed." >&2
    else
        tail -n 20 "$log" >&2
        echo "Could not install Guardian into .venv (the whole log: .venv/install.log)." >&2
        exit 1
    fi
}
