"""For PostgreSQL tests of identical submissions arriving at the same instant: send one
request from many threads released together, and hold the first one's transaction open until
all the others are waiting on it, so that they really were in flight at the same time."""

import threading
import time

from django.db import connection


def backends_waiting_on_a_lock() -> int:
    """Other connections to this database waiting for a lock right now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # a fresh look, not the cached one
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def holding_the_first_until_the_others_wait(monkeypatch, module, name: str, others: int):
    """Patch `module.name` (a service) so that its FIRST call, once done, waits inside its
    transaction until `others` connections wait on a lock (at most 20 s). Returns a dict whose
    "waiting" is how many were seen waiting, and "calls" how often the service ran."""
    original = getattr(module, name)
    seen = {"waiting": 0, "calls": 0}
    guard = threading.Lock()

    def first_waits(*args, **kwargs):
        result = original(*args, **kwargs)
        with guard:
            seen["calls"] += 1
            first = seen["calls"] == 1
        if first:
            deadline = time.monotonic() + 20
            while (waiting := backends_waiting_on_a_lock()) < others:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.005)
            seen["waiting"] = waiting
        return result

    monkeypatch.setattr(module, name, first_waits)
    return seen


def all_at_once(send, count: int) -> list:
    """`send(index)` from `count` threads released together by a barrier: their results (or
    the exception each raised), in no particular order."""
    barrier = threading.Barrier(count)
    results: list = []
    lock = threading.Lock()

    def run(index: int):
        try:
            barrier.wait(timeout=30)
            outcome = send(index)
        except Exception as error:  # reported by the caller, never swallowed
            outcome = error
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads)
    return results
