"""Small helpers for benchmarks: ``from benchlib import timer, report``."""

import contextlib
import time


@contextlib.contextmanager
def timer():
    """``with timer() as t: ...; t.seconds``"""

    class Result:
        seconds = 0.0

    result = Result()
    start = time.perf_counter()
    yield result
    result.seconds = time.perf_counter() - start


def report(title, rows):
    """Print a small table of benchmark numbers (always visible with -s)."""
    print(f"\n== {title}")
    width = max(len(str(r[0])) for r in rows)
    for label, value in rows:
        print(f"   {label:<{width}}  {value}")
