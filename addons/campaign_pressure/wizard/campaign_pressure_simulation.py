from collections import Counter

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.mail import email_normalize, email_split_and_format

from .odoo_failures import ODOO_CATEGORIES, mail_failure_types, sms_failure_types

# category -> count field of the simulation
COUNT_FIELDS = {
    "send": "send_count",
    "postponed": "postponed_count",
    "held": "held_count",
    "blacklist": "blacklist_count",
    "optout": "optout_count",
    "duplicate": "duplicate_count",
    "invalid": "invalid_count",
}
# written by _run only: what the check found
RESULT_FIELDS = {
    "recipient_count",
    "exempt_count",
    "rule_line_ids",
    "recipient_line_ids",
    *COUNT_FIELDS.values(),
}
# held-back recipients listed one by one (the counts cover everybody)
LISTED_RECIPIENTS = 1000


class CampaignPressureSimulation(models.TransientModel):
    """The send, predicted: what Odoo cancels (blacklist, opt-out,
    duplicates, missing or invalid addresses, with Odoo's own lists) and
    what the pressure engine holds back or postpones, for the mailing's
    remaining recipients, without locking, logging nor sending anything.

    The figures are the check's own: ``_run`` writes them (as sudo),
    nobody else."""

    _name = "campaign.pressure.simulation"
    _description = "Marketing Pressure Simulation"

    mailing_id = fields.Many2one("mailing.mailing", required=True, ondelete="cascade")
    mailing_type = fields.Selection(related="mailing_id.mailing_type")
    purpose = fields.Selection(
        [("check", "Check"), ("send", "Send")],
        default="check",
        required=True,
        help="Send: the confirmation of the mailing's Send button.",
    )
    recipient_count = fields.Integer(string="Recipients", readonly=True)
    send_count = fields.Integer(string="Sent now", readonly=True)
    postponed_count = fields.Integer(
        string="Sent after quiet hours",
        readonly=True,
        help="Emails queued until the person's quiet hours end.",
    )
    held_count = fields.Integer(string="Held back by pressure", readonly=True)
    blacklist_count = fields.Integer(string="Blacklisted", readonly=True)
    optout_count = fields.Integer(string="Opted out", readonly=True)
    duplicate_count = fields.Integer(string="Duplicates", readonly=True)
    invalid_count = fields.Integer(string="Missing or invalid address", readonly=True)
    exempt_count = fields.Integer(
        string="Over a cap, sent as transactional",
        readonly=True,
        help="Recipients a cap would hold back, who receive this transactional "
        "mailing (counted, never capped).",
    )
    rule_line_ids = fields.One2many(
        "campaign.pressure.simulation.rule", "simulation_id", string="Per reason"
    )
    recipient_line_ids = fields.One2many(
        "campaign.pressure.simulation.recipient",
        "simulation_id",
        string="Held-back recipients",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(RESULT_FIELDS & set(vals) for vals in vals_list):
            self._pressure_refuse_result()
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and RESULT_FIELDS & set(vals):
            self._pressure_refuse_result()
        return super().write(vals)

    @api.model
    def _pressure_refuse_result(self):
        raise AccessError(
            self.env._("The figures of a pressure check are written by the check.")
        )

    def action_send(self):
        """The confirmation's "Send to all": what the mailing's own Send
        button does (its rights and checks apply)."""
        self.ensure_one()
        mailing = self.mailing_id
        mailing.check_access("write")
        if mailing.state != "draft":
            raise UserError(self.env._("This mailing is already sent or queued."))
        if mailing.mailing_type == "sms":
            if mailing.sms_force_send:
                return mailing.action_send_mail()
            return mailing.action_put_in_queue()
        return mailing.action_launch()

    # ------------------------------------------------------------------
    # The check
    # ------------------------------------------------------------------

    def _run(self):
        """Predict the send of the mailing's remaining recipients (see the
        class docstring). :return dict: res_id -> category."""
        self.ensure_one()
        mailing = self.mailing_id
        res_ids = mailing._get_remaining_recipients()
        if mailing._pressure_channel() == "sms":
            failures, requests = self._pressure_sms_failures(res_ids)
        else:
            failures, requests = self._pressure_mail_failures(res_ids)
        decisions, exempted = self._pressure_decisions(requests)
        categories = {}
        for res_id in res_ids:
            failure = failures.get(res_id)
            decision = decisions.get(res_id)
            if failure:
                categories[res_id] = ODOO_CATEGORIES.get(failure, "invalid")
            elif decision and not decision["allowed"]:
                categories[res_id] = "held"
            elif decision and decision.get("postpone_until"):
                categories[res_id] = "postponed"
            else:
                categories[res_id] = "send"
        self._pressure_write_result(res_ids, categories, decisions, exempted)
        return categories

    def _pressure_mail_failures(self, res_ids):
        """Odoo's cancellations of an email send and the engine's requests
        (the send checks every record ahead, then drops those Odoo cancels)."""
        mailing = self.mailing_id
        model = mailing.mailing_model_real
        composer = self.env["mail.compose.message"].new(
            {
                "composition_mode": "mass_mail",
                "model": model,
                "mass_mailing_id": mailing.id,
            }
        )
        recipients = self._pressure_mail_recipients(model, res_ids)
        batch_size = (
            int(self.env["ir.config_parameter"].sudo().get_param("mail.batch_size"))
            or composer._batch_size
            or 50
        )
        failures = mail_failure_types(
            res_ids,
            recipients,
            self._pressure_mail_blacklist(model, res_ids, recipients),
            # Odoo's lists (they depend on the mailing, not on the mails)
            set(composer._get_optout_emails({})),
            set(composer._get_done_emails({})),
            batch_size,
        )
        requests = self.env["campaign.pressure.engine"]._pressure_requests(
            model, res_ids, "email"
        )
        return failures, requests

    @api.model
    def _pressure_mail_recipients(self, model, res_ids):
        """``res_id -> (mail_to, mail_to_normalized)``: what the composer's
        ``_get_recipients_data`` computes for a mailing's mails (no
        template: the records' default recipients). The partners' addresses
        are read with their stored ``email_normalized`` (Odoo's
        ``email_normalize(email, strict=False)``, the composer's own call)
        in one query instead of normalising 100,000 addresses again."""
        defaults = self.env[model].browse(res_ids)._message_get_default_recipients()
        partner_ids = {
            pid
            for default in defaults.values()
            for pid in default.get("partner_ids") or ()
            if pid
        }
        partners = {}
        if partner_ids:
            self.env["res.partner"].flush_model(["email", "email_normalized"])
            self.env.cr.execute(
                SQL(
                    "SELECT id, email, email_normalized FROM res_partner"
                    " WHERE id = ANY(%s)",
                    "{" + ",".join(map(str, partner_ids)) + "}",
                )
            )
            # NULL reads False, as through the ORM
            partners = {
                pid: (email or False, norm or False)
                for pid, email, norm in self.env.cr.fetchall()
            }
        recipients = {}
        nobody = {}
        for res_id in res_ids:
            default = defaults.get(res_id) or nobody
            email_to = default.get("email_to")
            mail_to, normalized = [], []
            if email_to:
                mail_to = email_split_and_format(email_to) or [email_to]
                normalized = [
                    norm
                    for norm in (
                        email_normalize(mail, strict=False) for mail in mail_to
                    )
                    if norm
                ]
            for pid in default.get("partner_ids") or ():
                email, norm = partners.get(pid, (False, False))
                if email not in mail_to:
                    mail_to.append(email)
                    if norm:
                        normalized.append(norm)
            recipients[res_id] = (mail_to, normalized)
        return recipients

    @api.model
    def _pressure_mail_blacklist(self, model, res_ids, recipients):
        """The records Odoo's ``_get_blacklist_record_ids`` cancels, in one
        query: for a model with a blacklist (``mail.thread.blacklist``) the
        records whose own ``email_normalized`` is blacklisted, else those
        with a blacklisted recipient address."""
        self.env["mail.blacklist"].flush_model(["email", "active"])
        records = self.env[model]
        if isinstance(records, self.pool["mail.thread.blacklist"]):
            records.flush_model(["email_normalized"])
            self.env.cr.execute(
                SQL(
                    """SELECT t.id FROM %s t
                         JOIN mail_blacklist bl ON bl.email = t.email_normalized
                        WHERE bl.active AND t.id = ANY(%s)""",
                    SQL.identifier(records._table),
                    "{" + ",".join(map(str, res_ids)) + "}",
                )
            )
            return {row[0] for row in self.env.cr.fetchall()}
        self.env.cr.execute(SQL("SELECT email FROM mail_blacklist WHERE active"))
        blacklist = {row[0] for row in self.env.cr.fetchall()}
        return {
            res_id
            for res_id, (_mail_to, normalized) in recipients.items()
            if blacklist.intersection(normalized)
        }

    def _pressure_sms_failures(self, res_ids):
        """Odoo's cancellations of an SMS send and the engine's requests
        (the send checks the SMS Odoo leaves outgoing)."""
        mailing = self.mailing_id
        model = mailing.mailing_model_real
        records = self.env[model].browse(res_ids)
        composer = self.env["sms.composer"].new(
            {
                "composition_mode": "mass",
                "res_model": model,
                "mailing_id": mailing.id,
            }
        )
        info = composer._prepare_recipient_values(records)
        recipients = {
            res_id: (info[res_id]["sanitized"], info[res_id]["number"])
            for res_id in res_ids
        }
        blacklist = set()
        if composer.mass_use_blacklist:
            blacklist = set(
                self.env["phone.blacklist"].sudo().search([]).mapped("number")
            )
        seen_ids, _seen_numbers = mailing._get_seen_list_sms()
        failures = sms_failure_types(
            res_ids,
            recipients,
            blacklist,
            set(composer._get_optout_record_ids(records, info)),
            set(seen_ids),
        )
        partner_model = model == "res.partner"
        requests = [
            {
                "ref": res_id,
                "partner_id": info[res_id]["partner"].id
                or (res_id if partner_model else None),
                "phone": info[res_id]["sanitized"],
            }
            for res_id in res_ids
            if not failures[res_id]
        ]
        return failures, requests

    def _pressure_decisions(self, requests):
        """The engine's decisions for the requests, as the send asks them
        (arbitration, quiet hours postponing emails), without locking nor
        logging; and for a transactional mailing, the refs a cap would
        hold back."""
        mailing = self.mailing_id
        engine = self.env["campaign.pressure.engine"]
        channel = mailing._pressure_channel()
        message = engine._pressure_message_values(mailing)
        message.update(
            reserved=mailing._pressure_reserved_by_others(),
            postpone_quiet=channel == "email",
            explain=False,  # the check stores the codes
        )
        decisions = engine._pressure_evaluate(
            requests, channel, message=message, lock=False
        )
        exempted = set()
        if message.get("exempt"):
            capped = engine._pressure_evaluate(
                requests, channel, message=dict(message, exempt=False), lock=False
            )
            exempted = {
                ref
                for ref, decision in capped.items()
                if not decision["allowed"] and decisions[ref]["allowed"]
            }
        return decisions, exempted

    def _pressure_write_result(self, res_ids, categories, decisions, exempted):
        mailing = self.mailing_id
        counts = Counter(categories.values())
        held = [
            (res_id, decisions[res_id])
            for res_id in res_ids
            if categories[res_id] == "held"
        ]
        per_reason = Counter(
            (decision.get("reason_code") or False, decision["rule_id"] or False)
            for _res_id, decision in held
        )
        listed = held[:LISTED_RECIPIENTS]
        records = self.env[mailing.mailing_model_real].browse(
            [res_id for res_id, _d in listed]
        )
        names = dict(zip(records.ids, records.mapped("display_name"), strict=True))
        vals = {
            field: counts.get(category, 0) for category, field in COUNT_FIELDS.items()
        }
        vals.update(
            recipient_count=len(res_ids),
            exempt_count=sum(
                1
                for res_id in exempted
                if categories.get(res_id) in ("send", "postponed")
            ),
            rule_line_ids=[Command.clear()]
            + [
                Command.create({"reason": code, "rule_id": rule_id, "held_count": n})
                for (code, rule_id), n in per_reason.items()
            ],
            recipient_line_ids=[Command.clear()]
            + [
                Command.create(
                    {
                        "res_id": res_id,
                        "name": names.get(res_id) or str(res_id),
                        "person_key": decision["key"],
                        "partner_id": decision["partner_id"],
                        "rule_id": decision["rule_id"],
                        "count": decision["count"],
                        "threshold": decision["threshold"],
                        "reason_code": decision.get("reason_code") or False,
                        "reason_args": decision["reason_args"]
                        if decision.get("reason_code")
                        else {"text": decision.get("reason") or ""},
                    }
                )
                for res_id, decision in listed
            ],
        )
        self.sudo().write(vals)


class CampaignPressureSimulationRule(models.TransientModel):
    _name = "campaign.pressure.simulation.rule"
    _description = "Marketing Pressure Simulation per Reason"

    simulation_id = fields.Many2one(
        "campaign.pressure.simulation", required=True, ondelete="cascade"
    )
    reason = fields.Selection(selection="_selection_pressure_reason")
    rule_id = fields.Many2one("campaign.pressure.rule", string="Rule")
    held_count = fields.Integer(string="Held back")
    label = fields.Char(compute="_compute_label")

    @api.model
    def _selection_pressure_reason(self):
        return self.env["campaign.pressure.engine"]._pressure_reasons()

    @api.depends("reason", "rule_id")
    @api.depends_context("lang")
    def _compute_label(self):
        labels = dict(self._selection_pressure_reason())
        for line in self:
            if line.reason == "rule":
                line.label = line.rule_id.display_name
            elif line.reason == "cooldown" and line.rule_id:
                line.label = self.env._(
                    "%(reason)s (rule '%(rule)s' lowered)",
                    reason=labels["cooldown"],
                    rule=line.rule_id.display_name,
                )
            else:
                line.label = labels.get(line.reason) or self.env._("Other")


class CampaignPressureSimulationRecipient(models.TransientModel):
    _name = "campaign.pressure.simulation.recipient"
    _description = "Marketing Pressure Simulation Recipient"

    simulation_id = fields.Many2one(
        "campaign.pressure.simulation", required=True, ondelete="cascade"
    )
    res_id = fields.Integer(string="Record ID")
    name = fields.Char(string="Recipient")
    person_key = fields.Char()
    partner_id = fields.Many2one("res.partner")
    rule_id = fields.Many2one("campaign.pressure.rule", string="Rule")
    count = fields.Integer(string="Contacts in window")
    threshold = fields.Integer()
    reason_code = fields.Selection(
        selection="_selection_pressure_reason", string="Reason code"
    )
    reason_args = fields.Json(string="Reason details")
    reason = fields.Char(compute="_compute_reason")

    @api.model
    def _selection_pressure_reason(self):
        return self.env["campaign.pressure.engine"]._pressure_reasons()

    @api.depends("reason_code", "reason_args")
    @api.depends_context("lang")
    def _compute_reason(self):
        render = self.env["campaign.pressure.engine"]._pressure_reason_renderer()
        for line in self:
            line.reason = render(line.reason_code, line.reason_args)
