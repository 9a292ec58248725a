"""Group commit: concurrent callers share one store transaction, each still waiting for its commit.

A caller hands in one item and awaits its own result. The first caller starts a flush at once;
everything that arrives while that flush runs (the API's concurrent submissions, the dispatcher's
concurrent sends) goes into the next one. So an idle gateway adds no delay, and a busy one pays one
transaction (one fsync on SQLite) per batch instead of per message. Durability is unchanged: no
caller's result is returned before the transaction holding its item has committed, and an item
whose batch fails gets that failure.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: flush(items) -> one result per item, in order; an exception *instance* in the list is raised to
#: that item's caller only (e.g. an EnqueueConflict), an exception raised by flush goes to all of them.
Flush = Callable[[Sequence[T]], Awaitable[Sequence["R | BaseException"]]]


class GroupCommit(Generic[T, R]):
    def __init__(self, flush: Flush[T, R], *, max_batch: int = 256) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._flush = flush
        self._max_batch = max_batch
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._task: asyncio.Task[None] | None = None
        self.batches = 0  # flushes done (tests and metrics)

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            self.batches += 1
            try:
                results = await self._flush([item for item, _ in batch])
                if len(results) != len(batch):
                    raise RuntimeError(f"flush returned {len(results)} results for {len(batch)} items")
            except BaseException as exc:  # noqa: BLE001 - handed to every caller of this batch
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                if isinstance(exc, asyncio.CancelledError):  # shutting down: nobody is left waiting
                    for _, future in self._pending:
                        future.cancel()
                    self._pending.clear()
                    raise
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, BaseException):
                    future.set_exception(result)
                else:
                    future.set_result(result)
