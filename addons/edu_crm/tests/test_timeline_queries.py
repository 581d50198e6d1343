from odoo.tests import tagged

from .test_timeline import TimelineCommon

# what the person file's timeline list shows of each entry
LIST_FIELDS = ["date", "kind", "channel", "direction", "state", "summary", "reason"]
HEADER_FIELDS = [
    "edu_file_roles",
    "edu_file_programme_id",
    "edu_file_balance_due",
    "edu_file_next_due_date",
    "edu_file_consent",
    "edu_timeline_count",
]


@tagged("post_install", "-at_install")
class TestTimelineQueries(TimelineCommon):
    """The first page of the person file's timeline and the person's header
    take as many queries for 10 entries of one source as for 1,000 over
    four (one read over every source; the benchmark with 10,000 entries is
    ``tests/perf/test_perf_timeline.py``)."""

    def _messages(self, person, count):
        self.env["mail.message"].create(
            [
                {
                    "model": "res.partner",
                    "res_id": person.id,
                    "message_type": "comment",
                    "subtype_id": self.env.ref("mail.mt_comment").id,
                    "subject": f"Message {i}",
                    "body": f"Message {i}",
                }
                for i in range(count)
            ]
        )

    def _spread(self, person, count):
        """``count`` entries over messages, mailing traces, applications and
        their stages."""
        quarter = count // 4
        self._messages(person, quarter)
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Spread",
                "mailing_model_id": self.env.ref("base.model_res_partner").id,
            }
        )
        self.env["mailing.trace"].sudo().create(
            [
                {
                    "model": "res.partner",
                    "res_id": person.id,
                    "mass_mailing_id": mailing.id,
                }
                for _i in range(quarter)
            ]
        )
        # each application is two entries: it came in, it entered its stage
        self.env["crm.lead"].create(
            [
                {
                    "name": f"Application {i}",
                    "type": "opportunity",
                    "team_id": self.team.id,
                    "partner_id": person.id,
                    "company_id": self.company.id,
                }
                for i in range(count // 2 - quarter)
            ]
        )

    def _file_page(self, person):
        """(queries, rows) of the first page of ``person``'s file timeline
        and their list columns, as a registrar who reads every source."""
        partner = person.with_user(self.marketer)
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        rows = partner.edu_timeline_ids
        rows.fetch(LIST_FIELDS)
        rows.mapped("reason")
        rows.mapped("description")
        return self.cr.sql_log_count - start, rows

    def _header_queries(self, person):
        partner = person.with_user(self.marketer)
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        partner.read(HEADER_FIELDS)
        return self.cr.sql_log_count - start

    def _person(self, name):
        person = self.env["res.partner"].create(
            {"name": name, "company_id": self.company.id}
        )
        self.env["edu.enrollment"].create(
            {
                "partner_id": person.id,
                "programme_id": self.programme.id,
                "intake_id": self.intake.id,
                "company_id": self.company.id,
            }
        )
        return person

    def test_first_page_and_header_do_not_grow_with_entries_or_sources(self):
        warm = self._person("Warm cache")
        self._messages(warm, 3)
        self._file_page(warm)
        self._header_queries(warm)
        few, many = self._person("Ten entries"), self._person("A thousand entries")
        self._messages(few, 10)
        self._spread(many, 1000)
        self.env.flush_all()
        Timeline = self.env["edu.timeline"].with_user(self.marketer)
        counts = dict(
            Timeline._read_group(
                [("partner_id", "in", (few + many).ids)], ["partner_id"], ["__count"]
            )
        )
        # and the enrolment each has
        self.assertEqual((counts[few], counts[many]), (11, 1001))
        self.assertEqual(
            set(Timeline.search([("partner_id", "=", many.id)]).mapped("kind")),
            {"message", "mailing", "application", "stage", "enrollment"},
        )
        few_queries, few_rows = self._file_page(few)
        self.assertEqual(len(few_rows), 11)
        with self.assertQueryCount(few_queries):
            _queries, many_rows = self._file_page(many)
        self.assertEqual(_queries, few_queries)
        self.assertEqual(len(many_rows), 20)
        self.assertEqual(
            many_rows.ids,
            Timeline.search([("partner_id", "=", many.id)], limit=20).ids,
            "the 20 latest, newest first",
        )
        self._header_queries(few)  # the caches the first page left cold
        few_header = self._header_queries(few)
        with self.assertQueryCount(few_header):
            many_header = self._header_queries(many)
        self.assertEqual(many_header, few_header)
        self.assertEqual(many.with_user(self.marketer).edu_timeline_count, 1001)
