import logging
import threading

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


def sms_is_failed(state, failure_type):
    """Whether an SMS (``sms.sms`` state and failure type) did not reach its
    recipient: in error, or cancelled by Odoo for a reason (no or a wrong
    number, blacklisted, opted out); a duplicate is not a failure (the same
    number got the other SMS of the batch)."""
    return state == "error" or (
        state == "canceled" and failure_type not in (False, None, "", "sms_duplicate")
    )


class EduReminderLog(models.Model):
    """One row per instalment and reminder stage: the unique key that makes
    each stage happen exactly once, even across crashes and reruns."""

    _name = "edu.reminder.log"
    _description = "Tuition Reminder History"
    _order = "id desc"

    # (instalment_id, stage_id) is indexed by the unique constraint below
    instalment_id = fields.Many2one(
        "edu.tuition.instalment", required=True, ondelete="cascade"
    )
    stage_id = fields.Many2one("edu.reminder.stage", required=True, ondelete="restrict")
    contract_id = fields.Many2one(
        "edu.tuition.contract", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company")
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Done"), ("failed", "SMS Failed")],
        required=True,
        compute="_compute_state",
        store=True,
        precompute=True,
        help="Pending: planned by the reminder job, actions not applied yet. "
        "SMS Failed: applied, but an SMS of the stage could not be sent (no "
        "valid number, blacklisted, refused by the SMS provider); the SMS "
        "queue's outcome updates it.",
    )
    days_overdue = fields.Integer(readonly=True)
    date_done = fields.Datetime(readonly=True)
    # the SMS queued by the stage (sent ones are deleted by the SMS queue
    # once delivered to the provider; failed ones stay, in error)
    sms_ids = fields.Many2many(
        "sms.sms",
        "edu_reminder_log_sms_rel",
        "log_id",
        "sms_id",
        string="SMS Messages",
        readonly=True,
        groups="base.group_system",
    )
    mail_count = fields.Integer(string="Emails", readonly=True)
    sms_count = fields.Integer(string="SMS", readonly=True)
    activity_count = fields.Integer(string="Activities", readonly=True)
    suspension_proposed = fields.Boolean(readonly=True)

    _sql_constraints = [
        (
            "instalment_stage_uniq",
            "unique(instalment_id, stage_id)",
            "A reminder stage applies only once per instalment.",
        ),
    ]

    @api.depends("date_done", "sms_ids.state", "sms_ids.failure_type")
    def _compute_state(self):
        """Done once the job applied the stage (``date_done``, set by the
        job's set-based update, which writes this state itself), failed as
        long as one of its SMS is in error or was cancelled for a failure."""
        for log in self:
            if not log.date_done:
                log.state = "pending"
            elif any(sms_is_failed(sms.state, sms.failure_type) for sms in log.sms_ids):
                log.state = "failed"
            else:
                log.state = "done"

    def init(self):
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS edu_reminder_log_pending_idx
                ON edu_reminder_log (id) WHERE state = 'pending'
            """
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._edu_check_job()
        return super().create(vals_list)

    def write(self, vals):
        self._edu_check_job()
        return super().write(vals)

    def _edu_check_job(self):
        """The history (its pending/done state included) is the reminder
        job's: no user writes it, whatever their access rights."""
        if not self.env.su:
            raise AccessError(
                self.env._("The reminder history is written by the reminder job.")
            )

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    def _edu_auto_commit(self):
        """Commit batches only when ir.cron runs the job (it then tracks the
        progress), never during tests, module installation or a manual call."""
        return bool(self.env.context.get("ir_cron_progress_id")) and not getattr(
            threading.current_thread(), "testing", False
        )

    @api.model
    def _edu_commit_progress(self, done, remaining):
        """Report progress to ir.cron and commit what is done, as Odoo 18
        crons do; outside tests only (tests patch this to a savepoint)."""
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        if self._edu_auto_commit():
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _cron_process_reminders(self, batch_size=None):
        """Daily job: move overdue instalments through the reminder ladder."""
        batch_size = batch_size or int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("edu_crm.reminder_batch_size", "500")
        )
        self._edu_plan_reminders()
        self._edu_commit_progress(0, self.search_count([("state", "=", "pending")]))
        done = 0
        while True:
            logs = self.search(
                [("state", "=", "pending")], limit=batch_size, order="id"
            )
            if not logs:
                break
            logs._edu_dispatch()
            done += len(logs)
            remaining = self.search_count([("state", "=", "pending")])
            self._edu_commit_progress(done, remaining)
        return done

    @api.model
    def _edu_plan_reminders(self, today=None):
        """Insert, in one statement, a pending log for each overdue open
        instalment whose latest reached stage is above every stage it already
        went through. A stage is reached when both the instalment and its
        invoice are at least that stage's delay old. Stages overtaken while
        the job did not run are not applied afterwards (a payer 40 days late
        gets the 30-day stage, not three reminders at once). The unique key
        with ON CONFLICT makes concurrent or repeated runs harmless."""
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO edu_reminder_log (
                instalment_id, stage_id, contract_id, company_id, state,
                days_overdue, create_uid, write_uid, create_date, write_date)
            SELECT i.id, top.id, i.contract_id, i.company_id, 'pending',
                   %(today)s::date - i.due_date, %(uid)s, %(uid)s,
                   NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
              FROM edu_tuition_instalment i
              -- the youngest open invoice: no stage before the invoice is as
              -- old as the stage's delay (an instalment invoiced after its
              -- due date is not late from the first day)
              JOIN LATERAL (
                    SELECT MAX(m.invoice_date) AS invoice_date
                      FROM account_move m
                     WHERE m.edu_instalment_id = i.id AND %(open_invoice)s
                   ) inv ON TRUE
              JOIN LATERAL (
                    SELECT s.id, s.days_overdue
                      FROM edu_reminder_stage s
                     WHERE s.active
                       AND (s.company_id IS NULL OR s.company_id = i.company_id)
                       AND s.days_overdue <= %(today)s::date
                           - GREATEST(i.due_date, inv.invoice_date)
                     ORDER BY s.days_overdue DESC, s.sequence DESC, s.id DESC
                     LIMIT 1
                   ) top ON TRUE
             WHERE i.payment_state IN ('not_paid', 'partial')
               AND i.due_date < %(today)s::date
               AND i.contract_state = 'active'
               AND NOT EXISTS (
                    SELECT 1
                      FROM edu_reminder_log l
                      JOIN edu_reminder_stage done ON done.id = l.stage_id
                     WHERE l.instalment_id = i.id
                       AND done.days_overdue >= top.days_overdue)
            ON CONFLICT (instalment_id, stage_id) DO NOTHING
            """,
                today=today,
                uid=self.env.uid,
                open_invoice=self.env["account.move"]._edu_open_tuition_sql("m"),
            )
        )
        inserted = self.env.cr.rowcount
        self.invalidate_model()
        self.env["edu.tuition.instalment"].invalidate_model(["reminder_log_ids"])
        return inserted

    def _edu_dispatch(self):
        """Apply the stage actions of the pending logs in ``self``: emails and
        SMS queued on the unpaid invoices (sent after the commit by the mail
        and SMS queues), activities for the bursar, suspension proposals."""
        logs = self.filtered_domain([("state", "=", "pending")])
        if not logs:
            return
        counts = {
            log.id: {
                "mail": 0,
                "sms": 0,
                "activity": 0,
                "suspension": False,
                "sms_ids": [],
                "failed": False,
            }
            for log in logs
        }
        for stage, stage_logs in logs.grouped("stage_id").items():
            stage_logs._edu_dispatch_stage(stage, counts)
        self._edu_write_outcomes(counts)

    def _edu_dispatch_stage(self, stage, counts):
        """Apply the actions of ``stage`` to its pending logs ``self``, adding
        what was done to ``counts`` (log id -> counters)."""
        invoices = self.instalment_id.invoice_ids.filtered_domain(
            self.env["account.move"]._edu_open_tuition_domain()
        )
        log_by_instalment = {log.instalment_id.id: log for log in self}
        if stage.mail_template_id and invoices:
            self._edu_send_mails(stage.mail_template_id, invoices)
            for move in invoices:
                counts[log_by_instalment[move.edu_instalment_id.id].id]["mail"] += 1
        if stage.sms_template_id and invoices:
            # every payer gets one: Odoo cancels the SMS of a payer
            # without a valid number, and the log says it failed
            sms_all = self._edu_send_sms(stage.sms_template_id, invoices)
            for move, sms in zip(invoices, sms_all, strict=True):
                log_counts = counts[log_by_instalment[move.edu_instalment_id.id].id]
                log_counts["sms"] += 1
                log_counts["sms_ids"].append(sms.id)
                if sms_is_failed(sms.state, sms.failure_type):
                    log_counts["failed"] = True
        if stage.create_activity or stage.propose_suspension:
            self._edu_schedule_activities(stage, self)
            for log in self:
                counts[log.id]["activity"] += 1
        if stage.propose_suspension:
            # a system field of the contract (refused to users)
            self.contract_id.sudo().filtered(
                lambda c: not c.suspension_proposed
            ).suspension_proposed = True
            for log in self:
                counts[log.id]["suspension"] = True

    def _edu_write_outcomes(self, counts):
        """Bookkeeping of the dispatched logs (log id -> counters) in one
        set-based statement (the per-record ORM write of tens of thousands of
        logs is what made the naive version slow), and their SMS."""
        self.env.flush_all()
        ids = list(counts)
        self.env.cr.execute(
            SQL(
                """
            UPDATE edu_reminder_log l
               SET state = CASE WHEN v.failed THEN 'failed' ELSE 'done' END,
                   date_done = %(now)s, write_date = %(now)s,
                   write_uid = %(uid)s, mail_count = v.mails, sms_count = v.sms,
                   activity_count = v.activities, suspension_proposed = v.suspension
              FROM (SELECT UNNEST(%(ids)s::int[]) AS id,
                           UNNEST(%(mails)s::int[]) AS mails,
                           UNNEST(%(sms)s::int[]) AS sms,
                           UNNEST(%(activities)s::int[]) AS activities,
                           UNNEST(%(suspension)s::bool[]) AS suspension,
                           UNNEST(%(failed)s::bool[]) AS failed) v
             WHERE l.id = v.id AND l.state = 'pending'
            """,
                now=fields.Datetime.now(),
                uid=self.env.uid,
                ids=ids,
                mails=[counts[i]["mail"] for i in ids],
                sms=[counts[i]["sms"] for i in ids],
                activities=[counts[i]["activity"] for i in ids],
                suspension=[counts[i]["suspension"] for i in ids],
                failed=[counts[i]["failed"] for i in ids],
            )
        )
        self._edu_link_sms(counts)
        self.invalidate_model(
            [
                "state",
                "date_done",
                "write_date",
                "write_uid",
                "mail_count",
                "sms_count",
                "activity_count",
                "suspension_proposed",
                "sms_ids",
            ]
        )
        self.env["edu.tuition.instalment"].invalidate_model(
            ["reminder_log_ids", "last_stage_id"]
        )

    def _edu_link_sms(self, counts):
        """The SMS of each dispatched log (log id -> counters): the queue's
        outcome recomputes its state."""
        ids = list(counts)
        links = [
            (log_id, sms_id) for log_id in ids for sms_id in counts[log_id]["sms_ids"]
        ]
        if links:
            self.env.cr.execute(
                SQL(
                    """
                INSERT INTO edu_reminder_log_sms_rel (log_id, sms_id)
                SELECT UNNEST(%(logs)s::int[]), UNNEST(%(sms)s::int[])
                ON CONFLICT DO NOTHING
                """,
                    logs=[log_id for log_id, _sms in links],
                    sms=[sms_id for _log, sms_id in links],
                )
            )

    @api.model
    def _edu_send_mails(self, template, invoices):
        composer = (
            self.env["mail.compose.message"]
            .with_context(active_ids=invoices.ids)
            .create(
                {
                    "composition_mode": "mass_mail",
                    "model": "account.move",
                    "res_ids": repr(invoices.ids),
                    "template_id": template.id,
                    "force_send": False,
                    "auto_delete_keep_log": True,
                }
            )
        )
        composer._action_send_mail()

    @api.model
    def _edu_send_sms(self, template, invoices):
        """Queue the SMS of ``template`` for ``invoices``: the ``sms.sms``
        records, one per invoice in the order of ``invoices``."""
        if not invoices:
            return self.env["sms.sms"]
        composer = self.env["sms.composer"].create(
            {
                "composition_mode": "mass",
                "res_model": "account.move",
                "res_ids": repr(invoices.ids),
                "template_id": template.id,
                "mass_keep_log": True,
                "mass_force_send": False,
            }
        )
        return composer._action_send_sms()

    @api.model
    def _edu_schedule_activities(self, stage, logs):
        default_type = self.env.ref(
            "edu_crm.mail_activity_type_tuition_overdue", raise_if_not_found=False
        ) or self.env.ref("mail.mail_activity_data_todo")
        suspension_type = self.env.ref(
            "edu_crm.mail_activity_type_tuition_suspension", raise_if_not_found=False
        )
        activity_type = stage.activity_type_id or (
            suspension_type
            if stage.propose_suspension and suspension_type
            else default_type
        )
        model_id = self.env["ir.model"]._get_id("edu.tuition.contract")
        today = fields.Date.context_today(self)
        vals_list = []
        for log in logs:
            contract = log.contract_id
            if stage.propose_suspension:
                summary = self.env._(
                    "Propose suspending %(student)s: %(inst)s is %(days)s days overdue",
                    student=contract.student_id.name,
                    inst=log.instalment_id.display_name,
                    days=log.days_overdue,
                )
            else:
                summary = self.env._(
                    "Call the payer: %(inst)s is %(days)s days overdue",
                    inst=log.instalment_id.display_name,
                    days=log.days_overdue,
                )
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": contract.id,
                    "activity_type_id": activity_type.id,
                    "summary": summary,
                    "date_deadline": today,
                    "user_id": (
                        stage.activity_user_id or contract.user_id or self.env.user
                    ).id,
                }
            )
        return self.env["mail.activity"].create(vals_list)
