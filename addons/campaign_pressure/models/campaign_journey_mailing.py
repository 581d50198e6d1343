import re

from markupsafe import Markup
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

# the journey runner's sends on the cursor: the ids of the step mailings
# it is sending now (``campaign.journey.runner._journey_sending_scope``).
# A cursor is the server's own: no caller sets it, where any caller sets a
# context key over JSON-RPC.
RUNNER_SENDS = "campaign_journey_runner_sends"
# the states in which Odoo's mass mailing cron sends a mailing to its domain
QUEUED_STATES = ("in_queue", "sending")
# Odoo's "Plain Text" mailing layout (mass_mailing's basic theme, as its
# mailing editor builds it): an email step's body inside it opens in the
# editor as written, not on the template chooser
PLAIN_TEXT_LAYOUT = Markup(
    '<div class="o_layout oe_unremovable oe_unmovable bg-200 o_basic_theme" '
    'data-name="Mailing"><div class="oe_structure"><div class="o_mail_no_options">'
    "%s</div></div></div>"
)
LAYOUT_RE = re.compile(r"""class\s*=\s*["'][^"']*\bo_layout\b""")


def plain_text_body(html):
    """``html`` in Odoo's "Plain Text" mailing layout (as it is when it has
    a layout already)."""
    if html and LAYOUT_RE.search(html):
        return Markup(html)
    return PLAIN_TEXT_LAYOUT % Markup(html or "<p><br></p>")


class MailingMailing(models.Model):
    """A journey step's mailing is sent by the journey runner alone, batch
    after batch, to the participants due (by the journey's recipient field):
    every send entry point of Odoo's (send now, queue, launch, schedule,
    test, retry, the queue cron) refuses it outside the runner's send."""

    _inherit = "mailing.mailing"

    journey_step_id = fields.Many2one(
        "campaign.journey.step",
        string="Journey step",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The journey step that sends this mailing (set by the step).",
    )
    is_journey_mailing = fields.Boolean(
        string="Journey step mailing",
        compute="_compute_is_journey_mailing",
        search="_search_is_journey_mailing",
        help="Sent by a step of a journey, batch after batch: it is reached from "
        "its step, and Email Marketing's lists of mailings leave it out.",
    )

    @api.depends("journey_step_id")
    def _compute_is_journey_mailing(self):
        for mailing in self:
            mailing.is_journey_mailing = bool(mailing.sudo().journey_step_id)

    def _search_is_journey_mailing(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                self.env._("Search journey step mailings with = or != and a yes/no.")
            )
        positive = (operator == "=") == value
        return [("journey_step_id", "!=" if positive else "=", False)]

    # ------------------------------------------------------------------
    # CRUD: the step sets its mailing's link, nobody else
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any("journey_step_id" in vals for vals in vals_list):
            self._journey_refuse_step_link()
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and "journey_step_id" in vals:
            self._journey_refuse_step_link()
        if vals.get("state") in QUEUED_STATES:
            self._journey_check_send()
        return super().write(vals)

    @api.model
    def _journey_refuse_step_link(self):
        raise AccessError(
            self.env._("A journey step creates and keeps its own mailing.")
        )

    def _journey_sync_body(self):
        """An email step's body where Odoo's mailing editor reads it
        (``body_arch``, in the "Plain Text" layout) and where Odoo sends it
        from (``body_html``): the same, so that what the editor opens is
        what is sent."""
        for mailing in self.sudo().filtered(lambda m: m.mailing_type == "mail"):
            body = plain_text_body(mailing.body_html)
            if mailing.body_arch != body or mailing.body_html != body:
                mailing.write({"body_arch": body, "body_html": body})

    # ------------------------------------------------------------------
    # Sending: the runner's alone
    # ------------------------------------------------------------------

    def _journey_sending(self):
        """Whether this send is the journey runner's send of this step's
        mailing: the runner marks it on its cursor for the time of the send
        (nothing read: a plain mailing costs what it costs Odoo)."""
        self.ensure_one()
        return self.id in self.env.cr.cache.get(RUNNER_SENDS, ())

    def _journey_check_send(self):
        """Refuse a send, queueing or test of a step's mailing outside the
        journey runner's send: it would go to the mailing's domain (or to
        records the caller names), not to the journey's participants, past
        its exits, goals and recipient field."""
        for mailing in self:
            step = mailing.sudo().journey_step_id
            if step and not mailing._journey_sending():
                raise UserError(
                    self.env._(
                        "The mailing %(mailing)s is the step %(step)s of the "
                        "journey %(journey)s: only the journey sends it, to its "
                        "participants. Launch the journey, or try it with the "
                        "journey's test mode.",
                        mailing=mailing.sudo().display_name,
                        step=step.name,
                        journey=step.journey_id.name,
                    )
                )

    def action_send_mail(self, res_ids=None):
        # checked before any extension's send (a best-channel send plans
        # calls and letters without Odoo's ``_action_send_mail``); the queue
        # cron's ``_action_send_mail``: campaign_journey_mailing_send.py
        self._journey_check_send()
        return super().action_send_mail(res_ids=res_ids)

    def action_send_sms(self, res_ids=None):
        self._journey_check_send()
        return super().action_send_sms(res_ids=res_ids)

    def action_put_in_queue(self):
        # Launch and Retry too (they queue the mailing)
        self._journey_check_send()
        return super().action_put_in_queue()

    def action_schedule(self):
        self._journey_check_send()
        return super().action_schedule()

    def action_test(self):
        self._journey_check_send()
        return super().action_test()

    def _get_seen_list(self):
        """A journey step's mailing sends once per work item, which the
        runner claims exactly once: a person who enters the journey again
        (per its re-entry policy) receives the step again, which Odoo's
        "already sent by this mailing" list would cancel as a duplicate.
        Duplicates within one batch are still dropped by the composer."""
        if self._journey_sending():
            return set()
        return super()._get_seen_list()


class MailingMailingTest(models.TransientModel):
    """Odoo's test send of a mailing: a step's mailing is tried with the
    journey's test mode (the record's values, the journey's recipient)."""

    _inherit = "mailing.mailing.test"

    def send_mail_test(self):
        self.mass_mailing_id._journey_check_send()
        return super().send_mail_test()


class MailingSmsTest(models.TransientModel):
    _inherit = "mailing.sms.test"

    def action_send_sms(self):
        self.mailing_id._journey_check_send()
        return super().action_send_sms()
