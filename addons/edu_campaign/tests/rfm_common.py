from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase

NOW = "2026-06-01 12:00:00"


def confirmed_contacts(env, partner, dates, **values):
    """Marketing contacts of ``partner`` as a send confirms them: one per
    date, by email from a mailing unless ``values`` say otherwise."""
    return (
        env["campaign.pressure.contact"]
        .sudo()
        .create(
            [
                dict(
                    {
                        "person_key": f"p:{partner.id}",
                        "partner_id": partner.id,
                        "channel": "email",
                        "contact_date": date,
                        "source": "mailing",
                        "state": "confirmed",
                    },
                    **values,
                )
                for date in dates
            ]
        )
    )


class RfmCommon(TransactionCase):
    """Helpers of the RFM tests: interactions written as the server writes
    them, and a scoring run on the test's own people only (every other
    person archived in SQL, so that the quintiles are those checked by
    hand; the test's transaction is rolled back)."""

    def _now(self):
        return fields.Datetime.to_datetime(NOW)

    def _contacts(self, partner, dates, **values):
        return confirmed_contacts(self.env, partner, dates, **values)

    def _interactions(self, partner, last_days_ago, count):
        """``count`` contacts, the last ``last_days_ago`` days ago, the
        others an hour apart before it."""
        last = self._now() - timedelta(days=last_days_ago)
        return self._contacts(
            partner, [last - timedelta(hours=h) for h in range(count)]
        )

    def _only(self, partners):
        """Score ``partners`` only: archive every other person."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET active = false WHERE active AND id != ALL(%s)",
            [partners.ids],
        )
        self.env.invalidate_all()

    def _score(self):
        self.env["res.partner"]._cron_compute_rfm()

    def _scores(self, partners):
        return [
            (p.edu_rfm_recency, p.edu_rfm_frequency, p.edu_rfm_segment_id.code)
            for p in partners
        ]
