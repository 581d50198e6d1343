"""The demo mailings open in Odoo's mailing editor as written."""

from lxml import html
from odoo.tests import TransactionCase, tagged

OURS = ("edu_crm", "campaign_pressure", "edu_campaign", "edu_campaign_event")


@tagged("post_install", "-at_install")
class TestDemoMailings(TransactionCase):
    def test_email_mailings_have_an_editor_layout(self):
        """Odoo's editor reads the body from ``body_arch`` inside an
        ``o_layout``: a bare paragraph showed the template chooser instead
        and saved an empty body on the first button click."""
        data = self.env["ir.model.data"].search(
            [("model", "=", "mailing.mailing"), ("module", "in", OURS)]
        )
        mailings = self.env["mailing.mailing"].browse(data.mapped("res_id"))
        emails = mailings.filtered(lambda m: m.mailing_type == "mail")
        if not emails:
            self.skipTest("installed without demo data")
        for mailing in emails:
            with self.subTest(mailing=mailing.subject):
                root = html.fromstring(f"<div>{mailing.body_arch or ''}</div>")
                layout = root.find_class("o_layout")
                self.assertTrue(layout, "body_arch has no o_layout")
                self.assertIn(
                    html.fromstring(mailing.body_html).text_content().strip()[:20],
                    layout[0].text_content(),
                )
