"""Repository-level tests. Benchmarks in tests/perf run only through `make perf`."""

import os

collect_ignore = [] if os.environ.get("EDU_PERF_DB") else ["perf"]
