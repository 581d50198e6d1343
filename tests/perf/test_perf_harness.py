"""Sanity benchmark of the harness itself: ORM create in batch vs one by one.

It shows how every benchmark here is laid out: the same work measured twice in
one run (naive baseline and batched), numbers printed, ratio asserted.
"""

from benchlib import report, timer


def test_batch_create_beats_per_record(env, count_queries):
    partners = env["res.partner"]
    n = 300
    with count_queries() as naive_q, timer() as naive_t:
        for i in range(n):
            partners.create({"name": f"Naive {i}"})
    with count_queries() as batch_q, timer() as batch_t:
        partners.create([{"name": f"Batch {i}"} for i in range(n)])
    report(
        f"res.partner create x{n}",
        [
            ("one by one", f"{naive_t.seconds * 1000:.0f} ms, {naive_q.count} queries"),
            ("batched", f"{batch_t.seconds * 1000:.0f} ms, {batch_q.count} queries"),
            ("ratio", f"{naive_t.seconds / batch_t.seconds:.1f}x faster"),
        ],
    )
    assert batch_q.count < naive_q.count
