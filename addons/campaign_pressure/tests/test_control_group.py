from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.campaign_control_group import control_group_sql, in_control_group
from .common import PressureCommon


@tagged("post_install", "-at_install")
class TestControlGroup(PressureCommon):
    """A campaign's control group (issue 15, item 5): a stable share of
    the audience per person and campaign, held back by the engine."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.campaign = cls.env["utm.campaign"].create({"title": "Open days"})
        cls.people = cls.env["res.partner"].create(
            [
                {"name": f"Audience {i}", "email": f"aud{i}@example.com"}
                for i in range(40)
            ]
        )

    def test_split_is_stable_and_the_same_in_sql(self):
        ids = list(range(1, 2001))
        python = {pid for pid in ids if in_control_group(pid, 7, 20.0)}
        self.assertTrue(300 < len(python) < 500, len(python))  # about 20 %
        self.assertEqual(python, {p for p in ids if in_control_group(p, 7, 20.0)})
        # independent between campaigns
        self.assertNotEqual(python, {p for p in ids if in_control_group(p, 8, 20.0)})
        self.env.cr.execute(
            SQL(
                "SELECT pid FROM unnest(%s::int[]) AS pid WHERE %s",
                ids,
                control_group_sql(SQL("pid"), SQL("7"), SQL("20.0")),
            )
        )
        self.assertEqual({row[0] for row in self.env.cr.fetchall()}, python)
        self.assertFalse(in_control_group(5, 7, 0))

    def test_control_group_held_back(self):
        self.campaign.holdout_percent = 50
        control = self.people.filtered(
            lambda p: in_control_group(p.id, self.campaign.id, 50)
        )
        self.assertTrue(control and control != self.people)
        message = {"campaign_id": self.campaign.id}
        decisions = self._decide(self.people, message=message)
        held = {pid for pid, d in decisions.items() if not d["allowed"]}
        self.assertEqual(held, set(control.ids))
        self.assertEqual(
            {decisions[pid]["reason_code"] for pid in held}, {"control_group"}
        )
        self.assertIn("control group", decisions[control[0].id]["reason"])
        # the same people on every check; transactional messages still go
        again = self._decide(self.people, message=message)
        self.assertEqual({p for p, d in again.items() if not d["allowed"]}, held)
        exempt = self._decide(self.people, message=dict(message, exempt=True))
        self.assertTrue(all(d["allowed"] for d in exempt.values()))
        other = self.env["utm.campaign"].create({"title": "Other"})
        self.assertTrue(
            all(
                d["allowed"]
                for d in self._decide(
                    self.people, message={"campaign_id": other.id}
                ).values()
            )
        )

    def test_bad_share_refused(self):
        for bad in (-1, 50.5, 80):
            with self.assertRaisesRegex(ValidationError, "between 0 and 50"):
                self.campaign.holdout_percent = bad
        with self.assertRaises(AccessError):
            self.campaign.with_user(self.user_marketing).holdout_percent = 10
        self.campaign.with_user(self.user_pressure_manager).holdout_percent = 10
        self.assertEqual(self.campaign.holdout_percent, 10)
