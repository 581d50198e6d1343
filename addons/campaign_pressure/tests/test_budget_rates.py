from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .test_budget import BudgetCommon


@tagged("post_install", "-at_install")
class TestBudgetRates(BudgetCommon):
    """A campaign's spent converts the prices stored on the contact log at
    the rate of each contact's day, as ``res.currency._convert`` would, in
    one query whatever the days and currencies (review finding: it
    converted each (campaign, currency, day, state) group with a rate
    lookup of its own)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        known = cls.usd | cls.eur
        cls.third = next(
            currency
            for currency in (env.ref(f"base.{code}") for code in ("GBP", "CHF", "JPY"))
            if currency not in known
        )
        cls.third.active = True
        cls.campaign_eur = env["utm.campaign"].create(
            {
                "title": "Euro campaign",
                "company_id": cls.company_eur.id,
                "budget_planned": 1000.0,
            }
        )
        today = fields.Date.today()
        Rate = env["res.currency.rate"]
        # the euro company's own rates of the main currency, one every day
        Rate.create(
            [
                {
                    "currency_id": cls.usd.id,
                    "company_id": cls.company_eur.id,
                    "name": today - timedelta(days=days),
                    "rate": 2.0 + days / 10,
                }
                for days in range(1, 9)
            ]
        )
        # the third currency: shared rates only, from six days ago (a
        # contact before that is converted at the first rate there is)
        Rate.create(
            [
                {
                    "currency_id": cls.third.id,
                    "company_id": False,
                    "name": today - timedelta(days=days),
                    "rate": 0.5 + days / 100,
                }
                for days in range(1, 7)
            ]
        )

    def _log(self, days_ago, currency, cost, count=1):
        return self._log_contacts(
            self.partners[:count],
            days_ago=days_ago,
            campaign_id=self.campaign_eur.id,
            company_id=self.company.id,
            unit_cost=cost,
            cost_currency_id=currency.id,
        )

    def _spent(self):
        """``(queries, spent)`` of reading the campaign's spent."""
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        spent = self.campaign_eur.budget_spent
        return self.cr.sql_log_count - start, spent

    def _expected(self, contacts):
        """What ``res.currency._convert`` makes of each contact at the rate
        of its day, into the campaign's currency."""
        return sum(
            contact.cost_currency_id._convert(
                contact.unit_cost,
                self.eur,
                self.company_eur,
                contact.contact_date.date(),
                round=False,
            )
            for contact in contacts
        )

    def test_spent_is_converted_at_the_rate_of_each_day(self):
        contacts = self.env["campaign.pressure.contact"]
        for days in range(0, 10):
            contacts |= self._log(days, self.usd, 1.0 + days)
            contacts |= self._log(days, self.third, 0.3, count=2)
        contacts |= self._log(3, self.eur, 0.25, count=3)
        expected = self._expected(contacts)
        self.assertGreater(expected, 0.0)
        self.assertAlmostEqual(self._spent()[1], self.eur.round(expected), places=6)

    def test_query_count_does_not_grow_with_days_and_currencies(self):
        first = self._log(1, self.usd, 1.0)
        self._spent()  # warm the caches
        few, spent = self._spent()
        self.assertAlmostEqual(spent, self.eur.round(self._expected(first)))
        for days in range(2, 9):
            self._log(days, self.usd, 1.0)
            self._log(days, self.third, 0.5)
        self._log(4, self.eur, 0.5)
        many, spent = self._spent()
        self.assertGreater(spent, 1.0)
        self.assertEqual(many, few)
