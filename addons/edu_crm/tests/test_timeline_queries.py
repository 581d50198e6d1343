import json
from datetime import timedelta

from odoo.tests import tagged
from odoo.tools import SQL

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


def create_messages(person, count, start=None):
    """``count`` comments on ``person``, a minute apart from ``start`` (when
    given)."""
    env = person.env
    subtype = env.ref("mail.mt_comment")
    return env["mail.message"].create(
        [
            {
                "model": "res.partner",
                "res_id": person.id,
                "message_type": "comment",
                "subtype_id": subtype.id,
                "subject": f"Message {i}",
                "body": f"Message {i}",
                **({"date": start + timedelta(minutes=i)} if start else {}),
            }
            for i in range(count)
        ]
    )


@tagged("post_install", "-at_install")
class TestTimelineQueries(TimelineCommon):
    """The first page of the person file's timeline and the person's header
    take as many queries for 10 entries of one source as for 1,000 over
    four (one read over every source; the benchmark with 10,000 entries is
    ``tests/perf/test_perf_timeline.py``)."""

    def _messages(self, person, count):
        create_messages(person, count)

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
        partner = person.with_env(self._env_of(self.marketer))
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        rows = partner.edu_timeline_ids
        rows.fetch(LIST_FIELDS)
        rows.mapped("reason")
        rows.mapped("description")
        return self.cr.sql_log_count - start, rows

    def _view(self, person, domain=(), user=None):
        """The person's rows read from the general view: the same domain
        written so that it does not pin the person (``partner_id.id``)."""
        Timeline = self.env["edu.timeline"].with_user(user or self.marketer)
        return Timeline.search([("partner_id.id", "=", person.id), *domain])

    def _plan(self, query):
        """The executed plan of ``query`` (``EXPLAIN ANALYZE``)."""
        self.env.cr.execute(SQL("EXPLAIN (ANALYZE, FORMAT JSON) %s", query.select()))
        plan = self.env.cr.fetchone()[0]
        return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]

    def _header_queries(self, person):
        partner = person.with_env(self._env_of(self.marketer))
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
            self._view(many).ids[:20],
            "the 20 latest, newest first",
        )
        self._header_queries(few)  # the caches the first page left cold
        few_header = self._header_queries(few)
        with self.assertQueryCount(few_header):
            many_header = self._header_queries(many)
        self.assertEqual(many_header, few_header)
        self.assertEqual(many.with_user(self.marketer).edu_timeline_count, 1001)

    def test_a_page_is_the_views_page_and_reads_each_source_up_to_its_limit(self):
        person = self._person("Busy person")
        self._spread(person, 400)
        self.env.flush_all()
        Timeline = self.env["edu.timeline"].with_user(self.marketer)
        fields = ["date", "kind", "channel", "state", "summary", "res_model", "res_id"]
        pinned = [("partner_id", "=", person.id)]
        view = [("partner_id.id", "=", person.id)]
        for domain in (
            [],
            [("kind", "in", ("message", "stage"))],
            [("state", "=", "done")],
        ):
            self.assertGreater(Timeline.search_count([*view, *domain]), 100, domain)
            for offset in (0, 20, 40):
                page = {"offset": offset, "limit": 20}
                expected = Timeline.search_read([*view, *domain], fields, **page)
                self.env.invalidate_all()
                rows = Timeline.search_read([*pinned, *domain], fields, **page)
                self.assertEqual(rows, expected, (domain, offset))
                self.env.invalidate_all()
                ids = [row["id"] for row in rows]
                self.assertEqual(Timeline.browse(ids).read(fields), expected)
        # the merge sorts at most offset + limit rows of each source, never
        # all of the person's rows
        kinds = Timeline._read_group(pinned, ["kind"], ["__count"])
        self.assertEqual(len(kinds), 5)
        query = Timeline._search(pinned, offset=20, limit=20, order=Timeline._order)
        plan = self._plan(query)
        while plan["Node Type"] != "Sort":
            plan = plan["Plans"][0]
        self.assertEqual(
            plan["Plans"][0]["Actual Rows"],
            sum(min(count, 40) for _kind, count in kinds),
        )

    def test_rows_by_id_read_only_their_sources(self):
        person = self._person("Read by id")
        self._spread(person, 40)
        self.env.flush_all()
        Timeline = self.env["edu.timeline"].with_user(self.marketer)
        fields = ["date", "kind", "summary", "res_model", "res_id"]
        domain = [("partner_id.id", "=", person.id), ("kind", "=", "message")]
        expected = Timeline.search_read(domain, fields, limit=3)
        self.assertEqual(len(expected), 3)
        ids = [row["id"] for row in expected]
        self.env.invalidate_all()
        self.assertEqual(Timeline.browse(ids).read(fields), expected)
        query = Timeline._search([("id", "in", ids)])
        relations = set()
        nodes = [self._plan(query)]
        while nodes:
            node = nodes.pop()
            relations.add(node.get("Relation Name"))
            nodes += node.get("Plans", [])
        self.assertIn("mail_message", relations)
        # the tables of the sources without those ids (the record rules'
        # subqueries read the models the rows open, not these)
        for table in ("edu_lead_stage_history", "mail_activity", "mailing_trace"):
            self.assertNotIn(table, relations, "a source without those ids")
        self.assertFalse(Timeline.browse([(99 << 40) + 1]).exists())

    def _files(self, people):
        """(queries, {person: latest entries}) of the files of ``people``."""
        people = people.with_env(self._env_of(self.marketer))
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        latest = {person: person.edu_timeline_ids.ids for person in people}
        return self.cr.sql_log_count - start, latest

    def test_several_people_files_in_the_same_queries(self):
        people = [self._person(f"File {i}") for i in range(4)]
        self._spread(people[0], 80)
        self._messages(people[1], 30)
        self._messages(people[3], 3)
        self._files(people[2] | people[3])  # warm the caches
        two, latest = self._files(people[0] | people[1])
        four, latest_four = self._files(people[0] | people[1] | people[2] | people[3])
        self.assertEqual(two, four)
        for person in people:
            self.assertEqual(latest_four[person], self._view(person).ids[:20])
        self.assertEqual(latest[people[0]], latest_four[people[0]])
        self.assertEqual(len(latest[people[1]]), 20)

    def test_a_rule_is_checked_on_its_own_models_table(self):
        """The records of the person that messages, activities and traces
        are read from are one table each: the rule of leads is checked on
        the leads' table alone, not on every table of their union (a
        subquery scan of the union's member, or the table of an invoice,
        a contract, an enrolment...) in every source."""
        person = self._person("Rules once")
        self._spread(person, 40)
        self.env.flush_all()
        Timeline = self.env["edu.timeline"].with_user(self.marketer)
        query = Timeline._search(
            [("partner_id", "=", person.id)], limit=20, order=Timeline._order
        )
        self.assertEqual(len(query.get_result_ids()), 20)
        others = {"res_partner", "edu_enrollment", "edu_tuition_contract"}
        others |= {"account_move", "edu_document", "cmr_request"}
        checked, misplaced = 0, []
        nodes = [self._plan(query)]
        while nodes:
            node = nodes.pop()
            plans = node.get("Plans", [])
            rules = [
                plan
                for plan in plans
                if plan.get("Parent Relationship") == "SubPlan"
                and plan.get("Relation Name") == "crm_lead"
            ]
            checked += len(rules)
            if rules and (
                node["Node Type"] == "Subquery Scan"
                or node.get("Relation Name") in others
            ):
                misplaced.append(node.get("Relation Name") or node.get("Alias"))
            nodes += plans
        self.assertGreater(checked, 0, "the marketer reads leads under a rule")
        self.assertEqual(misplaced, [])
