import importlib.util
from pathlib import Path

from lxml import html
from odoo.modules.module import get_module_path
from odoo.tests import tagged, users

from .test_journey_common import JourneyCommon


def _migration(name):
    """The ``migrate`` function of a migration script of 18.0.1.3.0."""
    path = Path(get_module_path("campaign_pressure"), "migrations", "18.0.1.3.0", name)
    spec = importlib.util.spec_from_file_location(path.stem.replace("-", "_"), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.migrate


@tagged("post_install", "-at_install")
class TestJourneyMailingBody(JourneyCommon):
    """An email step's mailing opens in Odoo's mailing editor as written:
    its body is in ``body_arch`` inside Odoo's "Plain Text" layout (an empty
    ``body_arch`` showed the editor's template chooser), the same as the
    ``body_html`` Odoo sends."""

    def _layouts(self, body):
        root = html.fromstring(f"<div>{body or ''}</div>")
        return root.find_class("o_layout")

    def _assert_plain_text(self, mailing, text):
        layouts = self._layouts(mailing.body_arch)
        self.assertEqual(len(layouts), 1, mailing.body_arch)
        self.assertIn("o_basic_theme", layouts[0].get("class"))
        self.assertEqual(layouts[0].text_content().strip(), text)
        # what is sent is what the editor opens (serialised as XHTML)
        sent = self._layouts(mailing.body_html)
        self.assertEqual(len(sent), 1, mailing.body_html)
        self.assertEqual(
            html.tostring(sent[0], method="html"),
            html.tostring(layouts[0], method="html"),
        )

    @users("user_marketing")
    def test_email_step_mailing_has_the_plain_text_layout(self):
        _journey, (welcome, empty, sms) = self._journey(
            [
                self._email_step(body_html="<p>Welcome to the campus</p>"),
                {"kind": "email", "subject": "Later"},
                {"kind": "sms", "body_plaintext": "Hi"},
            ]
        )
        self._assert_plain_text(welcome.mailing_id, "Welcome to the campus")
        self._assert_plain_text(empty.mailing_id, "")
        self.assertFalse(sms.mailing_id.body_arch)

    @users("user_marketing")
    def test_body_written_on_the_step_follows_in_the_editor(self):
        _journey, (welcome,) = self._journey([self._email_step()])
        welcome.body_html = "<p>Open day on Saturday</p>"
        self._assert_plain_text(welcome.mailing_id, "Open day on Saturday")
        # written back as the editor shows it: not wrapped twice
        welcome.body_html = welcome.mailing_id.body_arch
        self._assert_plain_text(welcome.mailing_id, "Open day on Saturday")

    @users("user_marketing")
    def test_sms_step_turned_email_gets_the_layout(self):
        _journey, (step,) = self._journey([{"kind": "sms", "body_plaintext": "Hi"}])
        step.kind = "email"
        self.assertEqual(step.mailing_id.mailing_type, "mail")
        self._assert_plain_text(step.mailing_id, "")

    def test_sent_email_is_the_body(self):
        journey, (welcome,) = self._journey(
            [self._email_step(body_html="<p>Welcome to the campus</p>")],
            domain=repr([("id", "=", self.partner_a.id)]),
        )
        journey.action_launch()
        self._tick()
        self.assertEqual(len(self._mails), 1)
        self.assertEqual(self._mails[0]["email_to"], [self.partner_a.email_formatted])
        self.assertIn("Welcome to the campus", self._mails[0]["body"])

    def test_migration_lays_out_existing_step_mailings(self):
        _journey, (welcome, sms) = self._journey(
            [self._email_step(), {"kind": "sms", "body_plaintext": "Hi"}]
        )
        mailing = welcome.mailing_id
        # as the step made them before 18.0.1.3.0
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE mailing_mailing SET body_arch = NULL, body_html = %s WHERE id = %s",
            ["<p>Welcome</p>", mailing.id],
        )
        self.env.invalidate_all()
        self.assertFalse(self._layouts(mailing.body_arch))
        _migration("post-journey-mailing-body-arch.py")(self.env.cr, "18.0.1.2.0")
        self.env.invalidate_all()
        self._assert_plain_text(mailing, "Welcome")
        self.assertFalse(sms.mailing_id.body_arch)

    def test_migration_links_step_mailings_to_their_step(self):
        _journey, (welcome,) = self._journey([self._email_step()])
        mailing = welcome.mailing_id
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE mailing_mailing SET journey_step_id = NULL, state = 'in_queue' "
            "WHERE id = %s",
            [mailing.id],
        )
        self.env.invalidate_all()
        self.assertFalse(mailing.is_journey_mailing)
        _migration("post-journey-mailing-step.py")(self.env.cr, "18.0.1.2.0")
        self.env.invalidate_all()
        self.assertEqual(mailing.journey_step_id, welcome)
        self.assertEqual(mailing.state, "draft")
