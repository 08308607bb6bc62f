"""A map over a stream of inputs on a Dask cluster, with the client's memory bounded.

`ordered_map` submits fn(item, *shared) for each item as earlier ones finish (`as_completed`), holds
at most `window` tasks in flight or finished-but-not-yet-consumed, and yields results in input order:
a slow task early in the stream pauses submission instead of letting results pile up on the client.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from policyscope.errors import ClusterError


def ordered_map(client, fn: Callable, items: Iterable, *, shared: tuple = (), window: int, retries: int = 2,
                what: str = "task") -> Iterator:
    """Results of fn(item, *shared) in the order of `items`; each item is sent when there is room.

    shared: futures (client.scatter) or small values every task takes; retries: reruns of a task that
    raised; a task that still fails raises ClusterError with the worker's error."""
    from distributed import as_completed
    window = max(1, window)
    source = iter(items)
    done = as_completed(loop=client.loop)  # this client's loop: another Client may be the default
    index_of: dict = {}
    finished: dict[int, object] = {}
    submitted = emitted = 0
    exhausted = False
    while True:
        while not exhausted and submitted - emitted < window:
            try:
                item = next(source)
            except StopIteration:
                exhausted = True
                break
            future = client.submit(fn, item, *shared, pure=False, retries=retries)
            index_of[future] = submitted
            done.add(future)
            submitted += 1
        if emitted == submitted:
            return
        if emitted not in finished:
            future = next(done)
            i = index_of.pop(future)
            if future.status != "finished":
                exc = future.exception()
                raise ClusterError(f"{what} {i} failed on the cluster after {retries} retries: "
                                   f"{type(exc).__name__}: {exc}") from exc
            finished[i] = future.result()
            future.release()  # the worker may drop it now
            continue
        yield finished.pop(emitted)
        emitted += 1
