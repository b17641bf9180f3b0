"""The Celery side: one task, `cookiescan.unit`, run by `cookiescan worker`.

Delivery guarantees come from Celery and the Redis transport, configured here:
- acks_late + reject_on_worker_lost: a unit is acknowledged only once it has a
  result; a worker process that dies mid-unit puts it back on the queue.
- visibility_timeout: a whole worker machine that vanishes leaves its unit
  unacknowledged; Redis hands it to another worker after that delay.
- prefetch 1: a worker holds only the unit it runs, so a slow unit never keeps
  others waiting behind it.
- a hard time limit per unit: a hanging site costs one unit, not a worker.
A unit that has killed its worker MAX_ATTEMPTS times gives up with an error
(its phase is marked failed) instead of circling for ever.
"""
from __future__ import annotations

from celery import Celery

from scanner.common.urls import without_password
from scanner.errors import UserError

UNIT_TASK = "cookiescan.unit"
QUEUE = "cookiescan"
MAX_ATTEMPTS = 3
DEFAULT_UNIT_TIMEOUT_S = 600


def make_app(broker_url: str, unit_timeout_s: float = DEFAULT_UNIT_TIMEOUT_S) -> Celery:
    app = Celery("cookiescan", broker=broker_url, backend=broker_url)
    app.conf.update(
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        task_time_limit=unit_timeout_s, task_default_queue=QUEUE,
        broker_transport_options={"visibility_timeout": int(unit_timeout_s) + 30,
                                  "unacked_restore_interval": 5, "unacked_restore_throttle": 1},
        broker_connection_retry_on_startup=True,
        result_expires=7 * 24 * 3600,
        worker_max_tasks_per_child=100,  # a browser leak stays bounded
        worker_hijack_root_logger=False,
    )
    app.task(name=UNIT_TASK, bind=True)(_run_unit_task)
    return app


def _run_unit_task(task, unit_data: dict) -> dict:
    from scanner.collect.units import UnitFailed, output_to_data, run_unit_detached, unit_from_data

    attempts = _count_attempt(task.app.conf.broker_url, task.request.id)
    if attempts > MAX_ATTEMPTS:
        raise UnitFailed(f"gave up after {MAX_ATTEMPTS} attempts (the worker running it died each time)")
    return output_to_data(run_unit_detached(unit_from_data(unit_data)))


def _count_attempt(broker_url: str, task_id: str) -> int:
    import redis

    client = redis.Redis.from_url(broker_url)
    key = f"cookiescan:attempts:{task_id}"
    attempts = client.incr(key)
    client.expire(key, 7 * 24 * 3600)
    return attempts


def check_broker(broker_url: str, timeout_s: float = 5.0) -> None:
    """Fail at once, in one line naming the URL, when the broker does not answer."""
    import redis

    if not broker_url.startswith(("redis://", "rediss://")):
        raise UserError(f"--broker {broker_url}: expected a redis:// URL")
    try:
        redis.Redis.from_url(broker_url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s).ping()
    except (redis.exceptions.RedisError, OSError) as exc:
        raise UserError(f"{without_password(broker_url)}: Redis broker unreachable ({exc})") from None


def run_worker(broker_url: str, concurrency: int, unit_timeout_s: float, name: str | None = None) -> None:
    """Block serving units until stopped (SIGTERM: finish the current units; SIGKILL: they are re-run elsewhere)."""
    import celery.app.trace

    check_broker(broker_url)
    # Celery logs each task's return value; ours carries screenshots: name the unit, not its result.
    celery.app.trace.LOG_SUCCESS = "Task %(name)s[%(id)s] succeeded in %(runtime)ss"
    app = make_app(broker_url, unit_timeout_s)
    argv = ["worker", f"--concurrency={concurrency}", "--pool=prefork", "--loglevel=INFO", f"--queues={QUEUE}",
            "--without-gossip", "--without-mingle"]
    if name:
        argv.append(f"--hostname={name}")
    app.worker_main(argv=argv)
