"""Race harness: N threads, each with its own Session, released together at a barrier."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.orm import Session

JOIN_TIMEOUT = 30  # seconds; a deadlock fails the test instead of hanging the run


def racing_engine_for(database_url: str, threads: int) -> Engine:
    """An engine with a connection for every thread, so all of them really run at once."""
    from sqlalchemy import create_engine

    return create_engine(database_url, pool_size=threads, max_overflow=0)


def race(
    engine: Engine, attempt: Callable[[Session, int], object], *, threads: int
) -> Counter[str]:
    """Run `attempt(session, n)` in `threads` threads released together; count the outcomes
    ("won", or the name of the exception raised)."""
    barrier = threading.Barrier(threads, timeout=JOIN_TIMEOUT)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        with Session(engine) as session:
            session.connection()  # check out a connection before the start line
            barrier.wait()
            try:
                attempt(session, n)
                outcome = "won"
            except Exception as error:  # every outcome is counted, unexpected ones included
                outcome = type(error).__name__
        with lock:
            outcomes.append(outcome)

    workers = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(JOIN_TIMEOUT)
    assert not any(worker.is_alive() for worker in workers), "a thread is stuck"
    return Counter(outcomes)
