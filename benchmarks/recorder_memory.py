"""What one phase's recorder keeps in memory for a page with thousands of requests.

    .venv/bin/python benchmarks/recorder_memory.py [--requests 1000,10000,50000]

Feeds a PhaseRecorder the CDP events Chromium sends for N requests from one page (half to
third parties, 200-character URLs with query strings, one Set-Cookie header in ten) and
measures the Python memory it holds afterwards (tracemalloc), then what the records handed
back to the scan hold. No browser: this isolates the recorder's own bookkeeping.
"""
from __future__ import annotations

import argparse
import gc
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from procstats import machine  # noqa: E402
from scanner.collect.recorder import PhaseRecorder  # noqa: E402


def feed(recorder: PhaseRecorder, n: int) -> None:
    for i in range(n):
        host = f"t{i % 50}.tracker{i % 7}.test" if i % 2 else "www.site.test"
        url = f"https://{host}/collect/{i}?" + "&".join(f"p{k}=v{i}x{k}" for k in range(16))
        rid = f"r{i}"
        recorder._on_request({"requestId": rid, "type": "Image", "request": {"url": url}})
        headers = {"date": "Mon, 30 Nov 2026 00:00:00 GMT"}
        if i % 10 == 0:
            headers["set-cookie"] = f"id{i % 100}=abc{i}; Max-Age=31536000; Path=/; Secure; SameSite=None"
        recorder._on_extra_info({"requestId": rid, "statusCode": 200, "headers": headers})
        recorder._on_response({"requestId": rid, "response": {"url": url, "status": 200}})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", default="1000,10000,50000")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"{'requests':>9} {'recorder holds':>15} {'per request':>12} {'records':>9} {'records hold':>13}")
    for n in (int(x) for x in args.requests.split(",")):
        gc.collect()
        tracemalloc.start()
        recorder = PhaseRecorder(phase="accept", site_domain="site.test", current_page="https://www.site.test/")
        base = tracemalloc.get_traced_memory()[0]
        feed(recorder, n)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - base
        before_results = tracemalloc.get_traced_memory()[0]
        cookies, blocked, storage, requests = recorder.results()
        records = tracemalloc.get_traced_memory()[0] - before_results
        tracemalloc.stop()
        print(f"{n:9,d} {held / 1e6:12.1f} MB {held / n:9.0f} B {len(requests):9,d} {records / 1e6:10.1f} MB")


if __name__ == "__main__":
    main()
