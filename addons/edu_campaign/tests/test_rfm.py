from datetime import timedelta

from freezegun import freeze_time
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .rfm_common import NOW, RfmCommon

# the frequency of person k (interactions in 12 months): two per quintile
COUNTS = (9, 1, 7, 3, 5, 2, 10, 4, 6, 8)
# recency: person k's last interaction 5 + 10 k days ago (two per quintile)
SCORED = [
    (5, 5, "champions"),
    (5, 1, "new"),
    (4, 4, "champions"),
    (4, 2, "promising"),
    (3, 3, "loyal"),
    (3, 1, "promising"),
    (2, 5, "at_risk"),
    (2, 2, "lost"),
    (1, 3, "at_risk"),
    (1, 4, "at_risk"),
]


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestRfm(RfmCommon):
    """RFM quintiles and segments on ten people checked by hand (issue 15,
    item 6): recency and frequency two people per quintile, each source of
    interaction, what does not count, history on change only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.people = cls.env["res.partner"].create(
            [{"name": f"Person {k}", "email": f"p{k}@example.com"} for k in range(10)]
        )
        cls.marketing = new_test_user(
            cls.env,
            login="rfm_marketing",
            groups="mass_mailing.group_mass_mailing_user",
        )
        cls.edu_user = new_test_user(
            cls.env, login="rfm_edu_user", groups="edu_crm.group_edu_user"
        )
        cls.edu_manager = new_test_user(
            cls.env, login="rfm_edu_manager", groups="edu_crm.group_edu_manager"
        )

    def setUp(self):
        super().setUp()
        for k, person in enumerate(self.people):
            self._data_of(k, person)
        # an employee is in touch often and lately, but is not scored
        self._interactions(self.marketing.partner_id, 1, 20)
        self._only(self.people | self.marketing.partner_id)

    def _data_of(self, k, person):
        last = self._now() - timedelta(days=5 + 10 * k)
        if k == 3:  # last: an email the person wrote
            self.env["mail.message"].create(
                {
                    "model": "res.partner",
                    "res_id": person.id,
                    "author_id": person.id,
                    "message_type": "email",
                    "body": "Is there an open day?",
                    "date": last,
                }
            )
            self._interactions(person, 5 + 10 * k + 1, COUNTS[k] - 1)
        elif k == 4:  # last: a response
            self.env["campaign.response"].sudo().create(
                {"partner_id": person.id, "polarity": "positive", "date": last}
            )
            self._interactions(person, 5 + 10 * k + 1, COUNTS[k] - 1)
        else:
            self._interactions(person, 5 + 10 * k, COUNTS[k])
        if k == 9:
            # older than 12 months: recency only (it is not the last)
            self._contacts(person, [self._now() - timedelta(days=400)])
            # released (never sent) and transactional-free noise: not counted
            self._contacts(person, [self._now()], state="released")

    def test_quintiles_and_segments(self):
        self._score()
        self.assertEqual(self._scores(self.people), SCORED)
        self.assertEqual(
            self.people.mapped("edu_rfm_interactions"), list(COUNTS), "12 months only"
        )
        self.assertEqual(
            self.people[3].edu_rfm_last_interaction,
            self._now() - timedelta(days=35),
            "the email the person wrote is their last interaction",
        )
        self.assertEqual(
            self.people[9].edu_rfm_last_interaction,
            self._now() - timedelta(days=95),
            "a released contact is not an interaction",
        )
        self.assertFalse(self.marketing.partner_id.edu_rfm_segment_id, "employee")
        # no tuition: no monetary or punctuality score
        self.assertEqual(set(self.people.mapped("edu_rfm_monetary")), {0})
        self.assertEqual(set(self.people.mapped("edu_rfm_punctuality")), {0})

    def test_equal_values_share_a_score(self):
        """Two people with as many interactions share their frequency score,
        whatever their ids: NTILE put person 3 (3 interactions) in the
        bottom fifth and person 5, once as many, in the next."""
        # person 5: one more interaction, before their last (recency kept)
        self._interactions(self.people[5], 200, 1)
        self._score()
        person_3, person_5 = self.people[3], self.people[5]
        self.assertEqual(person_5.edu_rfm_interactions, 3)
        # 7 of 10 people have more: 5 - floor(5 * 7 / 10)
        self.assertEqual(
            (person_3.edu_rfm_frequency, person_5.edu_rfm_frequency), (2, 2)
        )
        # the person below them keeps 1; person 7 (4 interactions) has 2
        self.assertEqual(self.people[1].edu_rfm_frequency, 1)
        self.assertEqual(self.people[7].edu_rfm_frequency, 2)

    def test_people_out_of_touch_for_a_year_are_the_bottom_fifth(self):
        """Twelve more people, last in touch over 400 days ago (no
        interaction in 12 months: more than half the people scored), have
        frequency 1; ranked with the others their run would have read 3
        (review finding). The ten keep their frequencies."""
        quiet = self.env["res.partner"].create(
            [{"name": f"Quiet {k}", "email": f"q{k}@example.com"} for k in range(12)]
        )
        for k, person in enumerate(quiet):
            self._contacts(person, [self._now() - timedelta(days=400 + k)])
        self._only(self.people | quiet)
        self._score()
        self.assertEqual(set(quiet.mapped("edu_rfm_frequency")), {1})
        self.assertEqual(
            self.people.mapped("edu_rfm_frequency"), [f for _r, f, _s in SCORED]
        )

    def test_one_statement(self):
        self.env.flush_all()
        with self.assertQueryCount(1):
            self._score()
        self.assertEqual(len(self.people.edu_rfm_segment_id), 6)

    def test_history_on_change_only(self):
        History = self.env["edu.rfm.history"]
        self._score()
        first = History.search([("partner_id", "in", self.people.ids)])
        self.assertEqual(len(first), 10, "each person enters a segment")
        self.assertFalse(first.previous_segment_id)
        self.assertEqual(set(first.mapped("date")), {self._now()})
        with freeze_time("2026-06-02 12:00:00"):
            self._score()  # nothing changed
        self.assertEqual(History.search([("partner_id", "in", self.people.ids)]), first)
        self.assertEqual(set(self.people.mapped("edu_rfm_segment_date")), {self._now()})
        # person 7 is in touch three times today: four people change segment
        # (person 7's 7 interactions now equal person 2's: they share a
        # frequency score, so person 2 stays a champion)
        self._interactions(self.people[7], 1, 3)
        self._score()
        moved = History.search([("partner_id", "in", self.people.ids)]) - first
        self.assertEqual(
            sorted(
                (h.partner_id.name, h.previous_segment_id.code, h.segment_id.code)
                for h in moved
            ),
            [
                ("Person 1", "new", "promising"),
                ("Person 4", "loyal", "promising"),
                ("Person 5", "promising", "lost"),
                ("Person 7", "lost", "champions"),
            ],
        )
        person_3 = self.people[3]
        self.assertEqual(
            (person_3.edu_rfm_recency, person_3.edu_rfm_segment_id.code),
            (3, "promising"),
            "scores moved, segment kept: no history row",
        )
        self.assertEqual(self.people[7].edu_rfm_previous_segment_id.code, "lost")

    def test_person_no_longer_scored(self):
        self._score()
        person = self.people[0]
        self.env["campaign.pressure.contact"].sudo().search(
            [("partner_id", "=", person.id)]
        ).unlink()
        self._score()
        self.assertFalse(person.edu_rfm_segment_id)
        self.assertEqual(person.edu_rfm_previous_segment_id.code, "champions")
        last = person.edu_rfm_history_ids[:1]
        self.assertEqual(
            (last.previous_segment_id.code, last.segment_id),
            ("champions", self.env["edu.rfm.segment"]),
        )

    def test_mailing_filter(self):
        self._score()
        mailing = (
            self.env["mailing.mailing"]
            .with_user(self.marketing)
            .create(
                {
                    "subject": "Refer a friend",
                    "mailing_model_id": self.env.ref("base.model_res_partner").id,
                    "mailing_domain": "[('edu_rfm_segment_id.code', '=', 'champions')]",
                    "body_html": "<p>Hello</p>",
                }
            )
        )
        self.assertEqual(
            sorted(mailing._get_recipients()),
            sorted((self.people[0] | self.people[2]).ids),
        )

    def test_access(self):
        self._score()
        person = self.people[0].with_user(self.marketing)
        self.assertEqual(person.edu_rfm_segment_id.code, "champions")
        with self.assertRaises(AccessError):
            person.edu_rfm_history_ids.read(["segment_id"])
        with self.assertRaises(AccessError):
            self.env["edu.rfm.history"].with_user(self.marketing).search([])
        history = self.people[0].with_user(self.edu_user).edu_rfm_history_ids
        self.assertEqual(history.segment_id.code, "champions")
        with self.assertRaises(AccessError):
            history.write({"segment_id": False})
        with self.assertRaises(AccessError):
            history.unlink()
        segment = self.env.ref("edu_campaign.edu_rfm_segment_champions")
        with self.assertRaises(AccessError):
            segment.with_user(self.edu_user).write({"recency_min": 1})
        segment.with_user(self.edu_manager).write({"recency_min": 3})
        self.assertEqual(segment.recency_min, 3)

    def test_history_of_another_company(self):
        """A person of another company: their RFM history is not read by an
        Education user of this company, as the person is not (base rule)."""
        other = self.env["res.company"].create({"name": "Other college"})
        self.people[0].company_id = other
        self._score()
        history = self.env["edu.rfm.history"].with_user(self.edu_user)
        self.assertEqual(
            history.search_count([("partner_id", "=", self.people[1].id)]), 1
        )
        self.assertFalse(history.search([("partner_id", "=", self.people[0].id)]))
        self.edu_user.company_ids |= other
        self.assertEqual(
            history.with_context(
                allowed_company_ids=[self.env.company.id, other.id]
            ).search_count([("partner_id", "=", self.people[0].id)]),
            1,
        )

    def test_bad_ranges(self):
        segment = self.env.ref("edu_campaign.edu_rfm_segment_champions").with_user(
            self.edu_manager
        )
        for values in (
            {"recency_min": 0},
            {"frequency_max": 6},
            {"recency_min": 5, "recency_max": 4},
            {"monetary_min": -1},
            {"punctuality_min": 6},
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                segment.write(values)
