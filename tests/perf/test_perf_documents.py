"""Issuing numbered documents: queries per document must not grow with the batch.

Baseline in the same run: the same documents issued one by one through the public
service ``edu.document._edu_issue`` (one create + one issue per document).
The PDF step (one wkhtmltopdf process per document, outside the database) is left
out with the ``edu_document_skip_pdf`` context key, so the numbers show the ORM/SQL
work of numbering and registering.
"""

from benchlib import report, timer


def _drafts(env, partners, doc_type):
    return env["edu.document"].create(
        [{"type_id": doc_type.id, "partner_id": partner.id} for partner in partners]
    )


def test_issue_documents_batch(env, count_queries):
    env = env(context=dict(env.context, edu_document_skip_pdf=True))
    doc_type = env.ref("edu_crm.edu_document_type_enrolment_certificate")
    partners = env["res.partner"].create(
        [{"name": f"Perf Student {i}"} for i in range(1000)]
    )
    # the company's sequence exists after the first issue; create it outside the measure
    _drafts(env, partners[:1], doc_type).action_issue()

    rows = []
    per_doc = {}
    for size in (10, 100, 1000):
        drafts = _drafts(env, partners[:size], doc_type)
        with count_queries() as q, timer() as t:
            drafts.action_issue()
        per_doc[size] = q.count / size
        rows.append(
            (
                f"batch of {size}",
                f"{t.seconds * 1000:.0f} ms, {q.count} queries, "
                f"{q.count / size:.2f}/doc",
            )
        )

    Document = env["edu.document"]
    size = 100
    with count_queries() as q, timer() as t:
        for partner in partners[:size]:
            Document._edu_issue("enrolment_certificate", partner, None)
    rows.append(
        (
            f"one by one x{size} (_edu_issue)",
            f"{t.seconds * 1000:.0f} ms, {q.count} queries, {q.count / size:.2f}/doc",
        )
    )
    report("edu.document issue (numbering + registry, PDF excluded)", rows)

    # constant cost per document: 1000 documents cost no more per document than 10
    assert per_doc[1000] <= per_doc[10] * 1.1
    assert per_doc[100] <= q.count / size
