"""Work spread over every CPU by forked processes, where that is safe and pays.

The work is a function of an index into a sequence, both inherited by the forked workers (so
nothing but the index is sent to them, and only the results come back). A process is forked
only on Linux and with no other thread running: `mkdocs serve` runs a server thread, and
forking beside a thread can copy a lock it holds. Anything that stops the pool from starting
gives None, and the caller does the work itself: the results are the same, only the time
differs (tests/test_pool.py).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, TypeVar

Result = TypeVar("Result")
Arg = TypeVar("Arg")
Out = TypeVar("Out")

_task: Callable[[int], Any] | None = None  # the work the forked workers inherit


def processes(jobs: int, items: int, chunk: int, minimum: int) -> int:
    """How many processes share `items` pieces of work (`jobs`: the setting, 0 for one per
    CPU); 1 means here, without a pool: too little work, or forking is not safe."""
    if items < minimum or not sys.platform.startswith("linux") or threading.active_count() > 1:
        return 1
    wanted = jobs or len(os.sched_getaffinity(0))
    return max(1, min(wanted, -(-items // chunk)))


def fork_map(
    work: Callable[[int], Result],
    items: int,
    count: int,
    chunk: int,
    meanwhile: Callable[[], object] | None = None,
) -> list[Result] | None:
    """[work(0), ..., work(items - 1)] computed by `count` forked processes, `chunk` indexes
    at a time, while `meanwhile` runs here; None when no pool could be started (then nothing
    was done, `meanwhile` included). A worker that dies (killed for its memory, say) does not
    leave the caller waiting: the work is done again here."""
    global _task
    chunks = [range(start, min(start + chunk, items)) for start in range(0, items, chunk)]
    _task = work
    try:
        try:
            executor = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"))
            parts = executor.map(_run, chunks)  # every chunk is handed out now
        except OSError:  # no processes to be had (limits)
            return None
        with executor:
            if meanwhile is not None:
                meanwhile()
            try:
                return [result for part in parts for result in part]
            except BrokenProcessPool:
                pass
        return [work(index) for index in range(items)]
    finally:
        _task = None


class Stream(Generic[Result]):
    """work(0), ..., work(items - 1), computed ahead by forked processes while this one does
    something else, and handed out by `take` as they are asked for (the executor's thread
    collects each chunk as it is done). Each index is meant to be taken once and the chunks
    are computed in order, so asking in that order never waits for work that is not needed
    yet. An index taken again, or any index once a worker has died, is computed here: the
    results are the same, only the time differs."""

    def __init__(self, work: Callable[[int], Result], items: int, executor: ProcessPoolExecutor, chunk: int) -> None:
        self._work = work
        self._chunk = chunk
        self._executor: ProcessPoolExecutor | None = executor
        self._pending: dict[int, Future[list[Result]]] = {}  # chunk number -> its results to come
        self._ready: dict[int, Result] = {}  # index -> result, from chunks already collected
        self.waited = 0.0  # seconds `take` spent waiting for the workers
        for number, start in enumerate(range(0, items, chunk)):
            self._pending[number] = executor.submit(_run, range(start, min(start + chunk, items)))

    def take(self, index: int) -> Result:
        number = index // self._chunk
        future = self._pending.pop(number, None)
        if future is not None:
            started = time.perf_counter()
            try:
                results = future.result()
            except BrokenProcessPool:
                self.close()
            else:
                start = number * self._chunk
                self._ready.update(enumerate(results, start))
            self.waited += time.perf_counter() - started
        if index in self._ready:
            return self._ready.pop(index)
        return self._work(index)

    def later(self, fn: Callable[[Arg], Out], arg: Arg) -> Later[Out]:
        """fn(arg), in a worker once it is done with the chunks before (`fn` must be a module's
        function: it is sent by name, `arg` by value); here if the workers are gone."""
        future: Future[Out] | None = None
        if self._executor is not None:
            try:
                future = self._executor.submit(fn, arg)
            except (BrokenProcessPool, RuntimeError):  # broken, or shut down meanwhile
                future = None
        return Later(fn, arg, future)

    def close(self) -> None:
        """Stop the workers: the chunks not yet taken are dropped (and computed here if asked)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
            self._pending.clear()


class Later(Generic[Out]):
    """What Stream.later sent to a worker; `result` computes it here if the worker could not."""

    def __init__(self, fn: Callable[[Arg], Out], arg: Arg, future: Future[Out] | None) -> None:
        self._call: Callable[[], Out] | None = lambda: fn(arg)
        self._future = future

    def result(self) -> Out:
        """Taken once: the argument is let go of. Work no worker has started yet is done here:
        waiting for it would wait for every piece sent before it."""
        call, self._call = self._call, None
        assert call is not None, "a result is taken once"
        if self._future is not None and not self._future.cancel():
            try:
                return self._future.result()
            except (Exception, CancelledError):  # the worker died or was stopped, `fn` would not pickle...
                pass  # ...or raised: here it runs again, and raises the same
        return call()


def fork_stream(
    work: Callable[[int], Result], items: int, count: int, chunk: int, nice: int = 0
) -> Stream[Result] | None:
    """A Stream of `work` over `items` indexes on `count` forked processes, `chunk` indexes at a
    time, each process `nice` steps below this one's priority; None when no pool could be
    started. Call its `close` once done with it."""
    global _task
    _task = work  # inherited by the workers, which are all forked at the first chunk handed out
    executor = ProcessPoolExecutor(
        count, mp_context=multiprocessing.get_context("fork"), initializer=os.nice, initargs=(nice,)
    )
    try:
        return Stream(work, items, executor, chunk)
    except OSError:  # no processes to be had (limits)
        executor.shutdown(wait=False, cancel_futures=True)
        return None
    finally:
        _task = None


def _run(indexes: range) -> list[Any]:
    assert _task is not None  # set before the fork
    with paused_gc():
        return [_task(index) for index in indexes]


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while results pile up: each collection walks every object
    made so far, which cost a sixth of the loading time at 5,000 post-mortems; loading makes
    little cyclic garbage (the YAML loaders are disposed of). What was made meanwhile then joins
    the oldest generation: left in the youngest, the first collection after would walk all of
    it at once (0.2-0.4 s at 10,000), as only a full collection does there."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if not gc.get_freeze_count():  # unfreezing would release what another caller froze
                gc.freeze()  # every tracked object out of the generations...
                gc.unfreeze()  # ...and back, into the oldest
            gc.enable()
