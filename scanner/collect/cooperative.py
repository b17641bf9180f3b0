"""Several phases at once on one Playwright and one browser, in one thread.

Playwright's sync API already runs on greenlets: a sync call hands control to the
dispatcher greenlet, which runs the event loop until the call's future settles and
then switches back to the greenlet that made the call (its event listeners and
bindings run in greenlets of their own the same way). So a phase started in a greenlet
of its own blocks only itself: while it waits for a page load, the others go on. One
browser then serves every phase (each still in a fresh, isolated context), where
threads would need a Playwright driver and a browser each (Playwright objects must
not cross threads): on two cores, three browser launches at once cost seconds.

Nothing here preempts: a phase runs until its next Playwright call, and our own code
between calls is short.
"""
from __future__ import annotations

import asyncio
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from greenlet import greenlet


class Cooperative:
    """Run functions that make Playwright sync calls side by side; `wait` for a future without blocking the others."""

    def __init__(self, playwright):
        # The sync API's loop and dispatcher greenlet (set by sync_playwright() on every sync object).
        self._loop: asyncio.AbstractEventLoop = playwright._loop
        self._dispatcher = playwright._dispatcher_fiber

    def future(self) -> asyncio.Future:
        return self._loop.create_future()

    def wait(self, future: asyncio.Future) -> Any:
        """Block the calling greenlet (not the thread) until `future` settles; return its result or raise."""
        me = greenlet.getcurrent()
        waiting = True

        def resume(_future) -> None:
            if waiting:
                me.switch()

        future.add_done_callback(resume)
        try:
            while not future.done():
                if self._dispatcher.dead:
                    raise RuntimeError("the Playwright driver went away")
                self._dispatcher.switch()
        finally:
            waiting = False  # a callback already queued must not resume us later, at a random point
            future.remove_done_callback(resume)
        return future.result()

    def run(self, functions: list[Callable[[], Any]]) -> list[Any]:
        """Call every function at once, each in a greenlet of its own; results in order.
        An exception stays with its function: it is returned in place of that result."""
        futures = [self.future() for _ in functions]
        for function, future in zip(functions, futures):
            self._loop.call_soon(self._start, function, future)
        outcome = []
        for future in futures:
            try:
                outcome.append(self.wait(future))
            except Exception as exc:
                outcome.append(exc)
        return outcome

    @staticmethod
    def _start(function: Callable[[], Any], future: asyncio.Future) -> None:
        # Created inside the loop's callback, the greenlet's parent is the dispatcher: when the
        # function ends (or waits in a sync call), the loop goes on where it was.
        def body() -> None:
            try:
                result = function()
            except Exception as exc:  # handed to the waiting caller, who decides
                if not future.done():
                    future.set_exception(exc)
                return
            if not future.done():
                future.set_result(result)

        greenlet(body).switch()


class Signal:
    """Wakes the greenlets waiting for a change: `wait()` blocks its caller (only) until the next `notify()`."""

    def __init__(self, together: Cooperative):
        self._together = together
        self._next = together.future()

    def wait(self) -> None:
        self._together.wait(self._next)

    def notify(self) -> None:
        current, self._next = self._next, self._together.future()
        current.set_result(None)


class Slots:
    """At most `n` holders at once (`with slots.held(): ...`); a greenlet waiting for a slot blocks only itself."""

    def __init__(self, together: Cooperative, n: int):
        self._free = n
        self._freed = Signal(together)  # a slot was given back

    @contextmanager
    def held(self) -> Iterator[None]:
        while self._free <= 0:
            self._freed.wait()
        self._free -= 1
        try:
            yield
        finally:
            self._free += 1
            self._freed.notify()


class Stream:
    """Items one greenlet finds, read by others as they come (`put`, then `close`); reading waits
    for the next item, blocking only the reader. A reader that comes late still reads from the start."""

    def __init__(self, together: Cooperative):
        self._items: list[Any] = []
        self._closed = False
        self._more = Signal(together)  # an item came or the stream closed

    def put(self, item: Any) -> None:
        if self._closed:
            raise RuntimeError("put on a closed stream")
        self._items.append(item)
        self._more.notify()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._more.notify()

    @property
    def closed(self) -> bool:
        return self._closed

    def items(self) -> tuple[Any, ...]:
        """What came so far (all of it once closed)."""
        return tuple(self._items)

    def __iter__(self) -> Iterator[Any]:
        i = 0
        while True:
            while i >= len(self._items) and not self._closed:
                self._more.wait()
            if i >= len(self._items):
                return
            yield self._items[i]
            i += 1
