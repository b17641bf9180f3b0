#!/usr/bin/env bash
# Proves cookiescan works as an installed tool, without the checkout: builds the wheel,
# checks it holds every file of scanner/, installs it into a fresh virtualenv in a
# temporary folder outside the repository, and runs there what a user would run:
# --version, explain, a one-page demo scan of one replica, `scan` against the fixture
# web shipped in the package, `report` in every format, `declared import`.
# Called by `make test`; run it alone with `bash scripts/wheel_smoke.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
python=${PYTHON:-$repo/.venv/bin/python}
work=$(mktemp -d "${TMPDIR:-/tmp}/cookiescan-wheel.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n== %s  (%ss)\n' "$*" "$SECONDS"; }
fail() { printf 'wheel smoke FAILED: %s\n' "$*" >&2; exit 1; }
expect() {  # expect FILE TEXT...: every TEXT occurs in FILE
  local file=$1; shift
  for text in "$@"; do grep -qF -- "$text" "$file" || fail "'$text' not in $file: $(head -c 600 "$file")"; done
}

step "build the wheel"
"$python" -m pip wheel "$repo" --no-deps -q -w "$work/dist" 2> >(grep -v "is ignored" >&2)
wheel=$(ls "$work"/dist/cookiescan-*.whl)
echo "$wheel"
"$python" - "$wheel" "$repo" <<'PY'
import subprocess, sys, zipfile
wheel, repo = sys.argv[1], sys.argv[2]
inside = {n for n in zipfile.ZipFile(wheel).namelist() if n.startswith("scanner/")}
tracked = set(subprocess.run(["git", "-C", repo, "ls-files", "scanner"], capture_output=True, text=True,
                             check=True).stdout.split())
missing = sorted(p for p in tracked if p not in inside and "/__pycache__/" not in p)
if missing:
    sys.exit(f"wheel smoke FAILED: {len(missing)} file(s) of scanner/ not in the wheel: {missing[:10]}")
print(f"{len(inside)} package files, every tracked file of scanner/ included")
PY

step "install it into a fresh virtualenv in $work"
python3 -m venv "$work/venv"
# --no-compile: byte-compiling pandas and friends would double the time of this step.
"$work/venv/bin/pip" install -q --no-compile "$wheel" 2> >(grep -v "is ignored" >&2)
cli=$work/venv/bin/cookiescan
cd "$work"  # nothing of the checkout is on the path from here
"$work/venv/bin/python" -c "import scanner, sys; sys.exit(0 if scanner.__file__.startswith('$work/venv/') else 'imported from ' + scanner.__file__)"

step "cookiescan --version"
"$cli" --version | tee version.txt
expect version.txt "cookiescan $("$python" -c 'import sys; sys.path.insert(0, "'"$repo"'"); import scanner; print(scanner.__version__)')"

step "cookiescan explain _ga"
"$cli" explain _ga > explain.txt
expect explain.txt "_ga" "analytics" "open-cookie-database"

step "cookiescan demo (one replica, one page)"
"$cli" demo --out demo --site docrdv.fr --pages 1 --jobs 1 > demo.txt
expect demo.txt "SYNTHETIC" "docrdv.fr"
scan=$(ls demo/docrdv.fr/*/scan.json)
"$work/venv/bin/python" - "$scan" <<'PY'
import json, sys
scan = json.load(open(sys.argv[1], encoding="utf-8"))
consent = {p["phase"]: p["consent"]["status"] for p in scan["phases"]}
assert scan["synthetic"] is True, "demo scan not marked synthetic"
# tarteaucitron (served from the package's copy) and autoconsent (vendored) both worked:
assert consent == {"before_consent": "not_applicable", "accept": "given", "reject": "refused"}, consent
assert any(c["name"] == "_ga" for p in scan["phases"] if p["phase"] == "accept" for c in p["cookies"]), "no _ga after accept"
print("consent given and refused; _ga after accept")
PY

step "cookiescan report in every format"
# The demo wrote html, json, md and sarif beside its scans with the installed renderers;
# `report` renders the scan file again and adds the other formats.
for format in html csv junit; do
  "$cli" report "$scan" --format "$format" --out "report.$format"
done
"$cli" report "$scan" --format terminal > report.terminal
for format in json md sarif; do cp "demo/docrdv.fr/report.$format" "report.$format"; done
expect report.html "Synthetic replica" "docrdv.fr"
expect demo/docrdv.fr/report.html "Synthetic replica" "docrdv.fr"
expect report.json '"synthetic": true' '"undeclared_cookie"'
expect report.sarif '"version": "2.1.0"' "undeclared_cookie"
expect report.md "docrdv.fr" "undeclared"
expect report.junit "<testsuite" "undeclared_cookie"
expect report.csv "undeclared_cookie"
expect report.terminal "docrdv.fr" "undeclared"

step "cookiescan scan against the packaged fixture web"
"$work/venv/bin/python" -u -c '
import sys, time
from scanner.demo.fixtureweb import FixtureWeb
with FixtureWeb() as web:
    print(web.resolver_rules, flush=True)
    while True:  # until this script kills it
        time.sleep(60)
' > rules.txt &
server_pid=$!
for _ in $(seq 600); do [ -s rules.txt ] && break; sleep 0.2; done
grep -q "^MAP \* 127.0.0.1:" rules.txt || fail "the packaged fixture web did not start"
"$cli" scan https://www.mybakup.com/ --pages 1 --out scans --db scans/history.db \
  --host-resolver-rules "$(cat rules.txt)" --ignore-https-errors > scan.txt
expect scan.txt "www.mybakup.com" "accept" "reject"
"$cli" history www.mybakup.com --db scans/history.db > history.txt
expect history.txt "www.mybakup.com"
kill "$server_pid"; server_pid=""

step "cookiescan declared import"
"$cli" declared import "$repo/tests/fixtures/policies/pro.doctolib.fr-cookies.md" --site pro.doctolib.fr --out declared > import.txt
for file in site.yaml cookies.yaml subprocessors.yaml; do
  cmp "declared/pro.doctolib.fr/$file" "$repo/declared/pro.doctolib.fr/$file" || fail "imported $file differs from declared/"
done
expect import.txt "pro.doctolib.fr"

printf '\nwheel smoke passed (%s)\n' "$(basename "$wheel")"
