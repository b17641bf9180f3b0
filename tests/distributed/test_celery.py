"""Distributed scans: real redis-server, real PostgreSQL, real `cookiescan worker` processes (Celery) and real
Chromium on generated SYNTHETIC sites of one page each. Faults: a worker killed mid-unit, Redis restarted
mid-run, a hanging site, servers unreachable at start."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from scanner.demo.synthetic import site_host, write_config
from scanner.history.postgres import PostgresStore
from scanner.models import ACCEPT, BEFORE_CONSENT, REJECT
from tests.support.servers import cookiescan_command, free_port, workers

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.services]


def slow_site(host: str, seconds: int) -> str:
    """A [[site]] whose start page takes `seconds` to answer (the fixture web's /__slow, on any host)."""
    return f'\n[[site]]\nname = "{host}"\nstart_url = "https://{host}/__slow?s={seconds}"\npages = 1\n'


def start_check(web, config: Path, broker: str, db: str, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*cookiescan_command(), "check", "--config", str(config), "--broker", broker, "--db", db, "--out", str(out),
         "--host-resolver-rules", web.resolver_rules, "--ignore-https-errors", "--synthetic", *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(proc: subprocess.Popen, timeout_s: float = 420) -> str:
    out, _ = proc.communicate(timeout=timeout_s)
    assert proc.returncode in (0, 1), out  # 0 clean, 1 findings: the night completed
    return out


def wait_for(predicate, what: str, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def complete_scan(store: PostgresStore, host: str):
    (record,) = store.scans(host)  # stored exactly once
    scan = store.load_scan(record.id)
    assert [p.phase for p in scan.phases] == [BEFORE_CONSENT, ACCEPT, REJECT]
    assert all(p.error is None and p.pages for p in scan.phases), [p.error for p in scan.phases]
    return scan


@pytest.mark.browser
def test_two_workers_scan_through_redis_into_postgresql(scale_web, redis_service, postgres_url, tmp_path):
    web, hosts = scale_web
    config = write_config(tmp_path / "cookiescan.toml", hosts[:2], pages=1)
    with workers(redis_service.url, 2, tmp_path) as pool:
        out = finish(start_check(web, config, redis_service.url, postgres_url, tmp_path / "out"))
        logs = [w.log_text() for w in pool]
    assert all("cookiescan.unit" in log for log in logs), "both workers ran units"
    with PostgresStore(postgres_url) as store:
        for host in hosts[:2]:
            scan = complete_scan(store, host)
            assert any(c.name == "trk_uid" for c in scan.phases[1].cookies)
            assert (tmp_path / "out" / host).is_dir() and list((tmp_path / "out" / host).rglob("before_consent-start.png"))
    assert "Gate:" in out


@pytest.mark.browser
def test_a_worker_killed_mid_unit_loses_nothing(scale_web, redis_service, postgres_url, tmp_path):
    web, hosts = scale_web
    host = site_host(9)
    config = write_config(tmp_path / "cookiescan.toml", [], pages=1, extra=slow_site(host, 6))
    with workers(redis_service.url, 2, tmp_path) as pool:
        proc = start_check(web, config, redis_service.url, postgres_url, tmp_path / "out")
        wait_for(lambda: any("received" in w.log_text() for w in pool), "a worker to take the first unit")
        busy = next(w for w in pool if "received" in w.log_text())
        time.sleep(2)  # inside the slow page load: mid-unit
        for pid in busy.pool_children():
            os.kill(pid, signal.SIGKILL)
        out = finish(proc)
        logs = "".join(w.log_text() for w in pool)
    assert "WorkerLostError" in logs or logs.count("received") > 3  # the killed unit was handed out again
    with PostgresStore(postgres_url) as store:
        complete_scan(store, host)
    assert host in out


@pytest.mark.browser
def test_a_whole_worker_killed_mid_unit_its_unit_runs_again_elsewhere(scale_web, redis_service, postgres_url,
                                                                      tmp_path):
    """The worker and its browsers vanish (kill -9 of the process group): nothing acknowledged the unit, so
    Redis hands it to the other worker after the visibility timeout (unit timeout + 30 s)."""
    web, hosts = scale_web
    host = site_host(7)
    config = write_config(tmp_path / "cookiescan.toml", [], pages=1, extra=slow_site(host, 6))
    with workers(redis_service.url, 2, tmp_path, unit_timeout_s=60) as pool:
        proc = start_check(web, config, redis_service.url, postgres_url, tmp_path / "out", "--unit-timeout", "60")
        wait_for(lambda: any("received" in w.log_text() for w in pool), "a worker to take the first unit")
        busy = next(w for w in pool if "received" in w.log_text())
        other = next(w for w in pool if w is not busy)
        time.sleep(2)
        busy.stop(signal.SIGKILL)
        out = finish(proc, timeout_s=400)
        assert other.log_text().count("received") == 3  # all three units of the site ran on the survivor
    with PostgresStore(postgres_url) as store:
        complete_scan(store, host)
    assert host in out


@pytest.mark.browser
def test_redis_restarted_during_a_run_the_night_completes(scale_web, redis_service, postgres_url, tmp_path):
    web, hosts = scale_web
    config = write_config(tmp_path / "cookiescan.toml", hosts[:2], pages=1)
    with workers(redis_service.url, 2, tmp_path) as pool:
        proc = start_check(web, config, redis_service.url, postgres_url, tmp_path / "out")
        wait_for(lambda: any("received" in w.log_text() for w in pool), "the first unit to be taken")
        redis_service.restart()  # like `--save ""`: the queue and the results are gone
        out = finish(proc)
    assert "Redis restarted" in out
    with PostgresStore(postgres_url) as store:
        for host in hosts[:2]:
            complete_scan(store, host)


@pytest.mark.browser
def test_a_hanging_site_times_out_and_the_others_finish(scale_web, redis_service, postgres_url, tmp_path):
    web, hosts = scale_web
    hanging = site_host(8)
    extra = f'\n[[site]]\nname = "{hanging}"\nstart_url = "https://{hanging}/__hang"\npages = 1\n'
    config = write_config(tmp_path / "cookiescan.toml", hosts[2:3], pages=1, extra=extra)
    with workers(redis_service.url, 2, tmp_path, unit_timeout_s=40):
        # The page load would wait 90 s: the unit's 40 s limit ends it first.
        out = finish(start_check(web, config, redis_service.url, postgres_url, tmp_path / "out",
                                 "--unit-timeout", "40", "--timeout", "90"), timeout_s=300)
    assert "page_failed" in out and "timed out after 40s" in out, out
    with PostgresStore(postgres_url) as store:
        complete_scan(store, hosts[2])
        assert store.scans(hanging) == []  # no scan of it: a finding says why


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*cookiescan_command(), *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_unreachable_redis_at_start_is_one_line_exit_2_and_nothing_written(tmp_path):
    config = write_config(tmp_path / "cookiescan.toml", [site_host(1)], pages=1)
    url = f"redis://127.0.0.1:{free_port()}/0"
    for args in (["check", "--config", str(config), "--broker", url, "--out", "out", "--db", "h.db"],
                 ["worker", "--broker", url]):
        proc = run_cli(*args, cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.strip().count("\n") == 0 and url in proc.stderr and "unreachable" in proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cookiescan.toml"]


def test_unreachable_postgresql_at_start_is_one_line_exit_2_and_nothing_written(tmp_path):
    config = write_config(tmp_path / "cookiescan.toml", [site_host(1)], pages=1)
    url = f"postgresql://cookiescan:pw-not-shown@127.0.0.1:{free_port()}/history"
    proc = subprocess.run([*cookiescan_command(), "check", "--config", str(config), "--out", "out", "--workers", "1"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "COOKIESCAN_DB": url})
    assert proc.returncode == 2, proc.stderr
    line = proc.stderr.strip()
    assert "\n" not in line and "postgresql://cookiescan:***@127.0.0.1" in line and "pw-not-shown" not in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cookiescan.toml"]
