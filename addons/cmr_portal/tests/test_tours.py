from odoo.tests import tagged

from .test_tuition_portal import TuitionPortalCommon


@tagged("post_install", "-at_install")
class TestPortalTours(TuitionPortalCommon):
    """The three journeys of the portal in Chromium."""

    def _send_mailing(self, subject):
        mailing = self.env["mailing.mailing"].create(
            {
                "name": subject,
                "subject": subject,
                "body_html": "<p>News</p>",
                "mailing_model_id": self.env["ir.model"]._get("res.partner").id,
                "mailing_domain": repr([("id", "=", self.student.id)]),
            }
        )
        mailing.action_send_mail()
        return mailing.mailing_trace_ids

    def test_tour_student_preferences_enforced(self):
        self.env["campaign.pressure.rule"].sudo().search([]).active = False
        self.start_tour("/my/preferences", "cmr_portal_preferences", login="tu_student")
        self.assertEqual(self.student.pressure_max_contacts, 2)
        self.assertIn(
            self.env.ref("campaign_pressure.channel_sms"),
            self.student.pressure_blocked_channel_ids,
        )
        traces = (
            self._send_mailing("News 1")
            | self._send_mailing("News 2")
            | self._send_mailing("News 3")
        )
        self.assertEqual(traces.mapped("trace_status"), ["sent", "sent", "cancel"])
        self.assertEqual(traces[2].failure_type, "pressure")
        self.start_tour(
            "/my/communications", "cmr_portal_communications", login="tu_student"
        )

    def test_tour_student_pays_instalment(self):
        self.assertEqual(self.first.payment_state, "not_paid")
        self.start_tour("/my/tuition", "cmr_portal_pay_instalment", login="tu_student")
        self.first.invalidate_recordset()
        self.assertEqual(self.first.payment_state, "paid")
        self.assertEqual(self.second.payment_state, "to_invoice")

    def test_tour_sponsor_looks_at_student(self):
        self.student.cmr_sponsor_consent = True
        self.start_tour("/my/sponsored", "cmr_portal_sponsor", login="tu_sponsor")

    def test_tour_student_pays_two_instalments(self):
        self.second._edu_create_invoices()
        self.assertEqual(self.second.payment_state, "not_paid")
        self.start_tour("/my/tuition", "cmr_portal_pay_instalments", login="tu_student")
        (self.first | self.second).invalidate_recordset()
        self.assertEqual(self.first.payment_state, "paid")
        self.assertEqual(self.second.payment_state, "paid")
        self.assertEqual(self.third.payment_state, "to_invoice")
