import re
from contextlib import ExitStack
from unittest.mock import patch

from odoo.addons.campaign_pressure.models.campaign_journey_composer import (
    MailComposeMessage as JourneyComposer,
)
from odoo.addons.campaign_pressure.models.campaign_journey_mailing import (
    MailingMailing as JourneyMailing,
)
from odoo.tests import tagged

from .test_journey_common import JourneyCommon

JOURNEY_STEP = re.compile(r"\bcampaign_journey_step\b")
# the context key the runner flagged its sends with before 18.0.1.3.0
JOURNEY_SEND = "campaign_journey_send"


def _odoo_seen_list(self):
    return super(JourneyMailing, self)._get_seen_list()


def _odoo_mail_values_dynamic(self, res_ids):
    return super(JourneyComposer, self)._prepare_mail_values_dynamic(res_ids)


@tagged("post_install", "-at_install")
class TestJourneySendQueries(JourneyCommon):
    """The journey runner flags its own sends: a plain mailing costs, batch
    after batch, what Odoo's send of the same mailing costs without the
    journeys' hooks (measured in the same database by calling past them),
    for 1 batch and for 8 batches."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("mail.batch_size", 5)
        cls.crowd = cls.env["res.partner"].create(
            [
                {"name": f"Crowd {i}", "email": f"crowd{i}@journey-queries.test"}
                for i in range(40)
            ]
        )

    def _send(self, partners, odoo_only):
        """(queries of the send, statements reading journey steps)"""
        mailing = self._create_partner_mailing(partners).with_context(
            campaign_pressure_disable=True
        )
        with ExitStack() as stack:
            if odoo_only:
                stack.enter_context(
                    patch.object(JourneyMailing, "_get_seen_list", _odoo_seen_list)
                )
                stack.enter_context(
                    patch.object(
                        JourneyComposer,
                        "_prepare_mail_values_dynamic",
                        _odoo_mail_values_dynamic,
                    )
                )
            count, steps_read = self._send_counting_queries(mailing, JOURNEY_STEP)
        self.assertEqual(mailing.sent, len(partners))
        return count, steps_read

    def test_plain_mailing_costs_what_odoo_send_costs_per_batch(self):
        # warm-up: the caches a first send fills, on both paths
        self._send(self.partner_a, odoo_only=True)
        self._send(self.partner_b, odoo_only=False)
        counts = {}
        for size in (5, 40):
            # Odoo's send before and after ours: the caches a send fills
            # count for neither side
            before, _none = self._send(self.crowd[:size], odoo_only=True)
            ours, steps_read = self._send(self.crowd[:size], odoo_only=False)
            after, _none = self._send(self.crowd[:size], odoo_only=True)
            odoo = min(before, after)
            self.assertEqual(steps_read, [], f"{size} recipients")
            self.assertLessEqual(ours, odoo, f"{size} recipients, {size // 5} batches")
            counts[size] = (ours, odoo)
        # 8 batches cost ours what they cost Odoo's send: nothing per batch
        self.assertEqual(counts[40][0] - counts[5][0], counts[40][1] - counts[5][1])

    def test_a_flag_set_by_the_caller_keeps_odoo_duplicate_list(self):
        """Only a step's mailing sends without Odoo's "already sent" list:
        the runner's flag on a plain mailing changes nothing."""
        mailing = self._create_partner_mailing(self.partner_a)
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
            mailing.with_context(**{JOURNEY_SEND: mailing.id}).action_send_mail(
                self.partner_a.ids
            )
        traces = self._traces(mailing)
        self.assertEqual(len(traces), 2)
        self.assertEqual(
            sorted(traces.mapped("failure_type"), key=bool), [False, "mail_dup"]
        )
