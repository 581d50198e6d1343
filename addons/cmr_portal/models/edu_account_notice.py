import threading

from odoo import api, fields, models
from odoo.exceptions import AccessError

from .edu_account_notice_events import NOTICE_KINDS, event_sources_sql

# how many notices one dispatch batch sends (then commits, in a cron)
BATCH_SIZE = 200


class EduAccountNotice(models.Model):
    """One account notice to one person: the unique key of an event and its
    recipient, so that each event is notified exactly once, on reruns and on
    two cron workers alike (as the reminder ladder's log).

    Transactional messages about the person's own account (payment received,
    instalment due soon, document ready, request status changed, offer
    issued): sent on the channel the person chose in the portal, exempt from
    the marketing caps but counted in the contact log, postponed by the
    person's quiet hours. The overdue reminders are the reminder ladder's
    (``edu.reminder.log``), not notices. Planned in SQL
    (``edu_account_notice_events.py``), sent by ``_cron_send_notices``
    (``edu_account_notice_send.py``). Written by the job only: nobody
    creates, edits or deletes a notice (a forged one would send mail in the
    institution's name, a deleted one be sent again).
    """

    _name = "edu.account.notice"
    _description = "Account Notice"
    _order = "id desc"

    name = fields.Char(string="Subject", readonly=True)
    kind = fields.Selection(NOTICE_KINDS, required=True, readonly=True)
    event_key = fields.Char(
        required=True,
        readonly=True,
        help="The event notified: the record, and what happened to it.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Recipient",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    channel = fields.Selection(
        [("email", "Email"), ("sms", "SMS")],
        required=True,
        readonly=True,
        help="The channel the person chose in the portal (email unless SMS "
        "was chosen and the person has a mobile number).",
    )
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("postponed", "Postponed"),
            ("sent", "Sent"),
            ("failed", "Failed"),
        ],
        required=True,
        default="queued",
        readonly=True,
        index=True,
        help="Postponed: the person's quiet hours; sent when they end.",
    )
    scheduled_date = fields.Datetime(
        required=True, readonly=True, default=fields.Datetime.now
    )
    date_sent = fields.Datetime(string="Sent On", readonly=True)
    failure_reason = fields.Char(readonly=True)
    # the message in Odoo's queue, until it leaves (a sent email or SMS is
    # deleted by Odoo: the link empties); its failure fails the notice
    mail_id = fields.Many2one(
        "mail.mail",
        string="Outgoing Email",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        groups="base.group_system",
    )
    sms_id = fields.Many2one(
        "sms.sms",
        string="SMS",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        groups="base.group_system",
    )
    # the email's Message-Id, kept after Odoo deletes the sent mail: a bounce
    # that arrives later names it (as ``mailing.trace.message_id`` does)
    message_id = fields.Char(
        string="Message-Id",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="base.group_system",
    )
    res_model = fields.Char(string="Record Model", readonly=True, required=True)
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", readonly=True, required=True
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)

    _sql_constraints = [
        (
            "event_recipient_uniq",
            "unique(event_key, partner_id)",
            "An event is notified only once to each person.",
        ),
    ]

    def init(self):
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS edu_account_notice_due_idx
                ON edu_account_notice (scheduled_date)
             WHERE state IN ('queued', 'postponed')
            """
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._cmr_check_job()
        return super().create(vals_list)

    def write(self, vals):
        self._cmr_check_job()
        return super().write(vals)

    def unlink(self):
        self._cmr_check_job()
        return super().unlink()

    def _cmr_check_job(self):
        if not self.env.su:
            raise AccessError(
                self.env._("Account notices are written by the notice job only.")
            )

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    def _cmr_auto_commit(self):
        """Commit batches only when ir.cron runs the job, never in tests."""
        return bool(self.env.context.get("ir_cron_progress_id")) and not getattr(
            threading.current_thread(), "testing", False
        )

    @api.model
    def _cron_send_notices(self, batch_size=BATCH_SIZE, now=None):
        """Plan the notices of new events, then send those that are due, a
        batch at a time (each batch committed in a cron run)."""
        now = now or fields.Datetime.now()
        self._cmr_plan_notices(now)
        done = 0
        while True:
            notices = self._cmr_take_due(now, batch_size)
            if not notices:
                break
            notices._cmr_dispatch(now)
            done += len(notices)
            self.env["ir.cron"]._notify_progress(done=done, remaining=0)
            if self._cmr_auto_commit():
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return done

    @api.model
    def _cmr_plan_notices(self, now):
        """One INSERT per kind of event: a queued notice per new event and
        recipient (ON CONFLICT on the unique key: reruns and concurrent runs
        plan nothing twice). Returns the number of notices planned."""
        self.env.flush_all()
        planned = 0
        for query in event_sources_sql(self.env, now):
            self.env.cr.execute(query)
            planned += self.env.cr.rowcount
        self.invalidate_model()
        return planned

    @api.model
    def _cmr_take_due(self, now, limit):
        """Lock and return up to ``limit`` notices due at ``now``; rows a
        concurrent worker holds are skipped (it sends them)."""
        self.flush_model()
        self.env.cr.execute(
            """
            SELECT id FROM edu_account_notice
             WHERE state IN ('queued', 'postponed') AND scheduled_date <= %s
             ORDER BY scheduled_date, id
             LIMIT %s
               FOR UPDATE SKIP LOCKED
            """,
            (now, limit),
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])
