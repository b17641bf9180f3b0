"""`check --broker`: units go to Celery workers through Redis; their results come back here.

One thread talks to Celery (its clients are not shared between threads): it
sends the units handed to `submit`, polls their results and completes their
futures. A unit's task id is derived from the unit, so sending it again is the
same work: when Redis restarts (a new server `run_id`: its queue and results
may be gone) every unit still waiting is sent again, and whichever copy
finishes first is taken. Nothing is stored here: the gate stores each site's
scan once, from this process.
"""
from __future__ import annotations

import queue
import threading
import time
import uuid
from concurrent.futures import Future

import redis
from kombu.exceptions import OperationalError as KombuOperationalError

from scanner.collect.units import Unit, UnitFailed, UnitOutput, output_from_data, unit_to_data
from scanner.common.urls import without_password
from scanner.distributed.celery_app import DEFAULT_UNIT_TIMEOUT_S, UNIT_TASK, check_broker, make_app

_TRANSIENT = {"ConnectionError", "OperationalError", "TimeoutError", "BusyLoadingError"}
_BROKER_ERRORS = (redis.exceptions.RedisError, KombuOperationalError, OSError)


def task_id(unit: Unit) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "cookiescan-unit:" + unit.key))


class CeleryRunner:
    def __init__(self, broker_url: str, unit_timeout_s: float = DEFAULT_UNIT_TIMEOUT_S,
                 broker_down_limit_s: float = 300.0, poll_s: float = 0.5, say=lambda message: None):
        check_broker(broker_url)
        if not make_app(broker_url, unit_timeout_s).control.ping(timeout=2):
            say(f"{without_password(broker_url)}: no worker answered yet; the units wait in the queue "
                "until one starts (cookiescan worker --broker ...)")
        self._url = broker_url
        self._unit_timeout_s = unit_timeout_s
        self._down_limit_s = broker_down_limit_s
        self._poll_s = poll_s
        self._say = say
        self._inbox: queue.Queue[tuple[Unit, Future]] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="cookiescan-broker", daemon=True)
        self._thread.start()

    def submit(self, unit: Unit) -> "Future[UnitOutput]":
        future: Future = Future()
        self._inbox.put((unit, future))
        return future

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    # -------------------------------------------------------- the one thread ---

    def _loop(self) -> None:
        app = make_app(self._url, self._unit_timeout_s)
        client = redis.Redis.from_url(self._url, socket_connect_timeout=5, socket_timeout=10)
        pending: dict[str, tuple[Unit, Future]] = {}
        unsent: set[str] = set()
        server_id, down_since = None, None
        while not self._stop.is_set():
            try:
                current = client.info("server")["run_id"]
                if server_id is not None and current != server_id:
                    self._say(f"{without_password(self._url)}: Redis restarted; sending "
                              f"{len(pending)} waiting unit(s) again")
                    unsent |= set(pending)
                server_id, down_since = current, None
                while not self._inbox.empty():
                    unit, future = self._inbox.get_nowait()
                    pending[task_id(unit)] = (unit, future)
                    unsent.add(task_id(unit))
                for tid in [t for t in pending if t in unsent]:  # in the order they were submitted
                    self._send(app, tid, pending[tid][0])
                    unsent.discard(tid)
                self._gather(app, pending)
            except _BROKER_ERRORS as exc:
                down_since = down_since or time.monotonic()
                if time.monotonic() - down_since > self._down_limit_s:
                    self._fail_all(pending, f"{without_password(self._url)}: Redis broker unreachable for "
                                            f"{self._down_limit_s:.0f}s ({exc})")
                    unsent.clear()
            except Exception as exc:  # a bug here must not leave the gate waiting for ever
                self._fail_all(pending, f"broker loop: {type(exc).__name__}: {exc}")
                unsent.clear()
            self._stop.wait(self._poll_s)
        self._fail_all(pending, "the run was stopped before this unit finished")

    def _send(self, app, tid: str, unit: Unit) -> None:
        app.send_task(UNIT_TASK, args=[unit_to_data(unit)], task_id=tid, time_limit=self._unit_timeout_s,
                      retry=True, retry_policy={"max_retries": 3, "interval_start": 1, "interval_step": 1})

    def _gather(self, app, pending: dict[str, tuple[Unit, Future]]) -> None:
        for tid in list(pending):
            result = app.AsyncResult(tid)
            state = result.state
            if state not in ("SUCCESS", "FAILURE"):
                continue
            if state == "FAILURE" and type(result.result).__name__ in _TRANSIENT:
                result.forget()  # the unit met Redis going away, not a problem of its site: run it again
                self._send(app, tid, pending[tid][0])
                continue
            unit, future = pending.pop(tid)
            if state == "SUCCESS":
                future.set_result(output_from_data(result.result))
            else:
                future.set_exception(UnitFailed(_failure_text(result.result, self._unit_timeout_s)))
            result.forget()  # keep Redis small: the result now lives here
            self._say(f"{unit.site.name}: {unit.phase} {'done' if state == 'SUCCESS' else 'failed'}")

    def _fail_all(self, pending: dict[str, tuple[Unit, Future]], message: str) -> None:
        while not self._inbox.empty():
            unit, future = self._inbox.get_nowait()
            pending[task_id(unit)] = (unit, future)
        for _, future in pending.values():
            if not future.done():
                future.set_exception(UnitFailed(message))
        pending.clear()


def _failure_text(error, unit_timeout_s: float) -> str:
    name = type(error).__name__
    if name == "TimeLimitExceeded":
        return f"unit timed out after {unit_timeout_s:.0f}s"
    text = str(error).strip().splitlines()
    return f"{name}: {text[0][:300]}" if text else name
