"""Collateral proofs verified off the event loop: in batches, in worker processes, fairly.

Tickets wait in one queue per client; the dispatcher takes the clients in turn and sends each
a batch of up to `batch_size` of ITS OWN tickets to the worker pool. One batch costs N + 2
Miller loops and one final exponentiation (`zk.groth16.batch_verify`); a batch that fails is
split in halves until the bad tickets are found, so that cost lands on the client that sent
them: a flood of junk from one client never shares a batch with, nor delays by more than one
batch per turn, an honest client's ticket. After a failed batch a client's next batch holds one
ticket (and doubles with each batch that passes), so a junk-only client costs one plain
verification per ticket, not a bisection.
"""

import asyncio
import concurrent.futures
import multiprocessing
import time
from collections import OrderedDict, deque
from collections.abc import Sequence

from zk.curve import G1_GENERATOR, G2_GENERATOR
from zk.errors import MalformedInput
from zk.groth16 import PreparedVerifyingKey, Proof, batch_verify

from ..errors import ProtocolError

_PVK: PreparedVerifyingKey | None = None


def _init_worker(pvk: PreparedVerifyingKey) -> None:
    global _PVK
    _PVK = pvk
    # Load (or compile) the fast kernels now, not inside the first client's batch: a check of a
    # proof made of the generators runs the whole path (point checks, MSM, pairings) and fails.
    dummy = Proof(G1_GENERATOR, G2_GENERATOR, G1_GENERATOR)
    batch_verify(pvk, [(dummy, [0] * pvk.vk.n_public)])


def _worker_ready() -> bool:
    """A task for a fresh worker: by the time it runs, the initializer has warmed it."""
    time.sleep(0.2)  # keep this worker busy so that the pool starts the next one for the next task
    return True


def find_invalid(pvk: PreparedVerifyingKey, items: Sequence[tuple[Proof, Sequence[int]]]) -> list[int]:
    """Indices of the proofs that do not verify: one batch check, bisected when it fails."""
    if batch_verify(pvk, items):
        return []
    if len(items) == 1:
        return [0]
    half = len(items) // 2
    return find_invalid(pvk, items[:half]) + [half + i for i in find_invalid(pvk, items[half:])]


def _worker_check(items: list[tuple[Proof, list[int]]]) -> list[bool]:
    try:
        bad = set(find_invalid(_PVK, items))
    except MalformedInput:  # a malformed item among them: check each alone
        bad = {i for i, item in enumerate(items) if _alone_invalid(item)}
    return [i not in bad for i in range(len(items))]


def _alone_invalid(item) -> bool:
    try:
        return bool(find_invalid(_PVK, [item]))
    except MalformedInput:
        return True


class QueueFull(ProtocolError):
    """A client has as many tickets waiting as it may."""


class BatchVerifier:
    """Per-client queues of (proof, public inputs), verified in batches by `workers` processes."""

    def __init__(self, pvk: PreparedVerifyingKey, workers: int = 2, batch_size: int = 16,
                 per_client: int = 32, on_batch=None):
        self.batch_size = batch_size
        self.per_client = per_client
        self.workers = workers
        self.on_batch = on_batch  # called with (size, invalid) after each batch
        self._pool = concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker, initargs=(pvk,))
        self._queues: OrderedDict[str, deque] = OrderedDict()
        self._sizes: dict[str, int] = {}  # the next batch size per client (1 after a failure)
        self._wake: asyncio.Event | None = None
        self._tasks: list[asyncio.Task] = []
        self.ready = 0  # worker processes started and warm

    def start(self) -> None:
        """Start the dispatchers, and every worker process (each warms its kernels as it starts)."""
        self._wake = asyncio.Event()
        self._tasks = [asyncio.create_task(self._run()) for _ in range(self.workers)]
        loop = asyncio.get_running_loop()
        self.ready = 0
        for _ in range(self.workers):
            loop.run_in_executor(self._pool, _worker_ready).add_done_callback(self._warmed)

    def _warmed(self, future) -> None:
        if not future.cancelled() and future.exception() is None:
            self.ready += 1

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def queued(self) -> int:
        return sum(len(q) for q in self._queues.values())

    async def verify(self, client: str, proof: Proof, public: list[int]) -> bool:
        """Whether the proof verifies; waits for the client's turn (QueueFull if it has too many waiting)."""
        queue = self._queues.setdefault(client, deque())
        if len(queue) >= self.per_client:
            raise QueueFull(f"{len(queue)} of your tickets are already waiting for verification: retry later")
        future = asyncio.get_running_loop().create_future()
        queue.append((proof, public, future))
        self._wake.set()
        return await future

    def _next_batch(self) -> tuple[str, list] | None:
        """The next client's batch (clients taken in turn)."""
        while self._queues:
            client, queue = self._queues.popitem(last=False)
            size = self._sizes.get(client, self.batch_size)
            batch = [queue.popleft() for _ in range(min(size, len(queue)))]
            if queue:
                self._queues[client] = queue  # to the back of the line
            live = [item for item in batch if not item[2].done()]  # the caller may have gone
            if live:
                return client, live
        return None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            turn = self._next_batch()
            if turn is None:
                self._wake.clear()
                await self._wake.wait()
                continue
            client, batch = turn
            try:
                ok = await loop.run_in_executor(self._pool, _worker_check, [(p, pub) for p, pub, _ in batch])
            except Exception as exc:  # a broken worker: fail these requests, keep serving
                for *_, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            size = self._sizes.get(client, self.batch_size)
            self._sizes[client] = 1 if False in ok else min(self.batch_size, 2 * size)
            if len(self._sizes) > 10_000:
                self._sizes.clear()  # forgetting is safe: a client just gets a full batch again
            if self.on_batch is not None:
                self.on_batch(len(batch), ok.count(False))
            for (*_, future), valid in zip(batch, ok):
                if not future.done():
                    future.set_result(valid)


class PreverifiedKeys:
    """The matcher's collateral keys, answering at once for proofs the batch verifier accepted
    (so the matcher, which verifies every ticket it books, does not verify them twice)."""

    def __init__(self, keys):
        self.keys = keys
        self._accepted: set[tuple] = set()

    @staticmethod
    def _key(proof: Proof, public: Sequence[int]) -> tuple:
        return (proof, tuple(public))

    def accept(self, proof: Proof, public: Sequence[int]) -> None:
        self._accepted.add(self._key(proof, public))

    def forget(self, proof: Proof, public: Sequence[int]) -> None:
        self._accepted.discard(self._key(proof, public))

    def verify(self, proof: Proof, public: Sequence[int]) -> bool:
        key = self._key(proof, public)
        if key in self._accepted:
            self._accepted.discard(key)
            return True
        return self.keys.verify(proof, list(public))
