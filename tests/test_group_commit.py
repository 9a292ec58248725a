"""Group commit: concurrent callers share one flush, each gets its own result after that flush."""

from __future__ import annotations

import asyncio

import pytest

from gateway.engine.batching import GroupCommit


async def test_concurrent_items_share_a_flush_and_keep_their_own_results() -> None:
    flushed: list[list[int]] = []

    async def flush(items):
        flushed.append(list(items))
        await asyncio.sleep(0.01)
        return [ValueError(f"odd {i}") if i % 2 else i * 10 for i in items]

    batcher: GroupCommit[int, int] = GroupCommit(flush)
    results = await asyncio.gather(*(batcher.submit(i) for i in range(6)), return_exceptions=True)
    assert results[0] == 0 and results[2] == 20 and results[4] == 40
    assert all(isinstance(results[i], ValueError) for i in (1, 3, 5))
    assert sorted(i for batch in flushed for i in batch) == list(range(6))
    assert len(flushed) <= 2  # the first caller flushes alone or with all, the rest share one


async def test_a_failed_flush_fails_every_caller_of_that_batch_only() -> None:
    calls = 0

    async def flush(items):
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("disk full")
        return list(items)

    batcher: GroupCommit[int, int] = GroupCommit(flush, max_batch=2)
    results = await asyncio.gather(*(batcher.submit(i) for i in range(4)), return_exceptions=True)
    assert [type(r) for r in results[:2]] == [RuntimeError, RuntimeError]
    assert results[2:] == [2, 3]


async def test_nothing_is_answered_before_its_flush_finished() -> None:
    committed: set[int] = set()

    async def flush(items):
        await asyncio.sleep(0.01)
        committed.update(items)
        return list(items)

    batcher: GroupCommit[int, int] = GroupCommit(flush)

    async def caller(i: int) -> None:
        assert await batcher.submit(i) == i
        assert i in committed

    await asyncio.gather(*(caller(i) for i in range(20)))


def test_max_batch_must_be_positive() -> None:
    with pytest.raises(ValueError):
        GroupCommit(lambda items: items, max_batch=0)  # type: ignore[arg-type,return-value]
