"""cookiescan against @slashgear/gdpr-cookie-scanner, same start pages, whole processes, side by side.

    .venv/bin/python benchmarks/peers.py [--runs 5] [--sites pro.doctolib.fr,www.plain-slow.test]

Both scan the start page of each site of the SYNTHETIC fixture web (the five replicas and the
plain sites the scanner was not tuned for: no notice, slow third parties, many pages):
- cookiescan: `cookiescan scan URL --pages 1` with its defaults (three phases: before consent,
  accept, reject, each in a fresh profile; all instrumentation; scan.json and the history row);
- the peer (pinned in package.json): `gdpr-scan scan URL` with its defaults (HTML report), run by
  node with benchmarks/peer_chromium.mjs preloaded so it launches the same system Chromium,
  resolves the fixture hostnames and accepts the fixture certificate; its flow is untouched
  (--peer-same-flags, a fairness check, also gives its Chromium cookiescan's --disable-features).
Runs alternate (ours, peer, peer, ours, ...); wall and CPU are the median of --runs, memory
(the peak PSS of the tree) the median of --memory-runs further runs: sampling PSS reads every
process's page tables five times a second, which slowed our CPU-bound scan by about 0.5 s and
the waiting peer not at all, so timed runs go without it. CPU is user + system of the tree. Prints the ratio
cookiescan / peer per site (target: wall <= 0.5). Figures are of the fixture web on this
machine, never of the real sites.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from procstats import Run, fixture_web, machine, run_measured  # noqa: E402
from scanner.collect.browser import DISABLED_FEATURES, find_chromium  # noqa: E402

REPLICAS = ("pro.doctolib.fr", "pro.doctolib.it", "pro.doctolib.de", "docrdv.fr", "www.mybakup.com")
PLAIN = ("www.plain-nobanner.test", "www.plain-slow.test", "www.plain-manypages.test")
PEER_PACKAGE = ROOT / "node_modules" / "@slashgear" / "gdpr-cookie-scanner"
TARGET = 0.5


def cookiescan_cmd(url: str, rules: str, out: Path, extra: list[str]) -> list[str]:
    exe = Path(sys.executable).with_name("cookiescan")
    head = [str(exe)] if exe.exists() else [sys.executable, "-c", "from scanner.cli import main; main()"]
    return [*head, "scan", url, "--pages", "1", "--out", str(out), "--db", str(out / "history.db"),
            "--host-resolver-rules", rules, "--ignore-https-errors", *extra]


def peer_cmd(url: str, out: Path) -> list[str]:
    return ["node", "--import", str(ROOT / "benchmarks" / "peer_chromium.mjs"),
            str(PEER_PACKAGE / "dist" / "cli.js"), "scan", url, "-o", str(out)]


def peer_env(rules: str, same_flags: bool) -> dict[str, str]:
    env = dict(os.environ)
    env["PEER_RESOLVER_RULES"] = rules
    if same_flags:  # the peer's browser without the web UIs headless Chromium preloads (browser.py)
        env["PEER_EXTRA_ARGS"] = "--disable-features=" + ",".join(DISABLED_FEATURES)
    chromium = find_chromium()
    if chromium:
        env["PEER_CHROMIUM"] = chromium
    return env


def phases_recorded(out: Path) -> str:
    """What the cookiescan run recorded: phases and consent outcomes, from its scan.json."""
    scans = sorted(out.rglob("scan.json"))
    if not scans:
        return "no scan.json"
    data = json.loads(scans[-1].read_text(encoding="utf-8"))
    return " ".join(f"{p['phase']}:{(p.get('consent') or {}).get('status') or '-'}" for p in data["phases"])


def median(runs: list[Run], field: str) -> float:
    return statistics.median(getattr(r, field) for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per side and site (median)")
    parser.add_argument("--memory-runs", type=int, default=3,
                        help="further runs per side and site with the peak-PSS sampler on (median)")
    parser.add_argument("--sites", default=",".join(REPLICAS + PLAIN))
    parser.add_argument("--cookiescan-args", default="", help="extra options for cookiescan scan, e.g. '--jobs 1'")
    parser.add_argument("--peer-same-flags", action="store_true",
                        help="fairness check: launch the peer's Chromium with cookiescan's --disable-features too")
    args = parser.parse_args()
    if not (PEER_PACKAGE / "dist" / "cli.js").is_file() or not shutil.which("node"):
        sys.exit("the peer is missing: run `npm ci` (it is pinned in package.json) and install node")
    peer_version = json.loads((PEER_PACKAGE / "package.json").read_text())["version"]
    sites = [s for s in args.sites.split(",") if s]
    print(f"machine: {machine()}")
    print(f"peer: @slashgear/gdpr-cookie-scanner {peer_version}; browser: {find_chromium() or 'Playwright Chromium'}")
    print(f"SYNTHETIC fixture web; start page only; wall and CPU: median of {args.runs} alternating runs per side, "
          f"peak PSS: median of {args.memory_runs} more runs (sampling memory slows a busy process); "
          f"cookiescan scan URL --pages 1 {args.cookiescan_args}".rstrip()
          + ("; the peer's Chromium with cookiescan's --disable-features" if args.peer_same_flags else ""))
    header = (f"{'site':26} {'wall ours':>9} {'peer':>6} {'ratio':>6} {'CPU ours':>9} {'peer':>6} "
              f"{'PSS MB ours':>11} {'peer':>5}  recorded by cookiescan")
    print(header)
    ratios = []
    with fixture_web() as rules, tempfile.TemporaryDirectory(prefix="cookiescan-peers-") as tmp:
        env = peer_env(rules, args.peer_same_flags)
        for site in sites:
            url = f"https://{site}/"
            runs: dict[tuple[str, bool], list[Run]] = {}
            recorded = ""
            # Timed runs first (no memory sampler: it slows whoever needs the CPU), then runs for memory.
            for i, memory in [(i, False) for i in range(args.runs)] + [(i, True) for i in range(args.memory_runs)]:
                order = ("ours", "peer") if i % 2 == 0 else ("peer", "ours")
                for side in order:
                    out = Path(tmp) / f"{site}-{side}-{i}-{memory}"
                    out.mkdir()
                    if side == "ours":
                        cmd, side_env = cookiescan_cmd(url, rules, out, args.cookiescan_args.split()), None
                    else:
                        cmd, side_env = peer_cmd(url, out), env
                    runs.setdefault((side, memory), []).append(run_measured(cmd, env=side_env, memory=memory))
                    if side == "ours":
                        recorded = phases_recorded(out)
                    shutil.rmtree(out, ignore_errors=True)
            ours, peer = runs[("ours", False)], runs[("peer", False)]
            pss = {side: median(runs.get((side, True), []), "peak_pss_mb") if args.memory_runs else float("nan")
                   for side in ("ours", "peer")}
            ratio = median(ours, "wall_s") / median(peer, "wall_s")
            ratios.append(ratio)
            print(f"{site:26} {median(ours, 'wall_s'):8.2f}s {median(peer, 'wall_s'):5.2f}s {ratio:5.2f}x "
                  f"{median(ours, 'cpu_s'):8.2f}s {median(peer, 'cpu_s'):5.2f}s "
                  f"{pss['ours']:11.0f} {pss['peer']:5.0f}  {recorded}", flush=True)
    worst = max(ratios, default=float("nan"))
    print(f"wall ratio cookiescan / peer: worst {worst:.2f}x, median {statistics.median(ratios):.2f}x "
          f"(target <= {TARGET}x: {'met' if worst <= TARGET else 'NOT met'})")


if __name__ == "__main__":
    main()
