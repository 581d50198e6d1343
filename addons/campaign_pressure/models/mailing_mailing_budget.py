from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError

from .manager_fields import check_manager_fields

# fields of a mailing's cost: set by a pressure manager only
COST_FIELDS = {"budget_cost_override", "budget_message_cost"}


class MailingMailing(models.Model):
    """A mailing's cost, and its send stopped at the campaign's budget and
    at the channel's capacity of the day.

    Where it stops: in the send itself (the queue's cron, "Send now", and
    Odoo's public ``action_send_sms``), before Odoo's composer runs. The
    recipients the campaign can still pay are sent in the mailing's order;
    the rest get a trace held back by "Marketing pressure" with the reason
    ``budget`` (or ``capacity``), as the pressure engine records its own
    holds, and a note in the mailing's chatter says how many and why.
    Putting a mailing in the queue is refused when its campaign cannot pay
    a single message.

    The count is taken before the pressure rules and Odoo's exclusions
    decide: a recipient they hold back among the first ones leaves some
    budget unspent (never more spent than the budget).
    """

    _inherit = "mailing.mailing"

    budget_currency_id = fields.Many2one(
        "res.currency",
        string="Cost currency",
        compute="_compute_budget_currency_id",
    )
    budget_cost_override = fields.Boolean(
        string="Own cost per message",
        help="This mailing's own messages (its emails, or its SMS) cost another "
        "amount than the channel's cost of the company; the calls and letters "
        "of a 'best channel' mailing keep the company's costs. Set by a "
        "marketing pressure manager.",
    )
    # Floats: a message may cost a fraction of a cent
    budget_message_cost = fields.Float(
        string="Cost per message",
        digits=(16, 4),
        help="In the currency of the campaign's company.",
    )
    budget_unit_cost = fields.Float(
        string="Message cost",
        digits=(16, 4),
        compute="_compute_budget_unit_cost",
        help="What one message of this mailing costs its campaign: its own "
        "cost, or the channel's cost of the company.",
    )

    @api.depends("campaign_id.company_id")
    def _compute_budget_currency_id(self):
        for mailing in self:
            mailing.budget_currency_id = (
                mailing.campaign_id.company_id or self.env.company
            ).currency_id

    @api.depends(
        "budget_cost_override", "budget_message_cost", "campaign_id", "mailing_type"
    )
    def _compute_budget_unit_cost(self):
        campaign_model = self.env["utm.campaign"]
        pricer = campaign_model._budget_pricer(self)
        for mailing in self:
            campaign = mailing.campaign_id or campaign_model.new(
                {"company_id": self.env.company.id}
            )
            mailing.budget_unit_cost = pricer(
                campaign, mailing, mailing._pressure_channel(), None
            )

    @api.constrains("budget_message_cost")
    def _check_budget_message_cost(self):
        for mailing in self:
            if mailing.budget_message_cost < 0:
                raise ValidationError(
                    self.env._("The cost of a message cannot be negative.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        mailings = super().create(vals_list)
        mailings._budget_check_cost_access(vals_list, ("budget_cost_override",))
        return mailings

    def write(self, vals):
        self._budget_check_cost_access([vals])
        return super().write(vals)

    def copy_data(self, default=None):
        vals_list = super().copy_data(default)
        if not self.env["campaign.pressure.engine"]._pressure_is_manager():
            for vals in vals_list:
                for fname in COST_FIELDS:
                    vals.pop(fname, None)
        return vals_list

    def _budget_check_cost_access(self, vals_list, defaulted=()):
        check_manager_fields(
            self,
            vals_list,
            COST_FIELDS,
            self.env._(
                "Only a marketing pressure manager may set a mailing's own cost "
                "per message."
            ),
            defaulted,
        )

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def action_put_in_queue(self):
        for mailing in self:
            mailing._budget_check_affordable()
        return super().action_put_in_queue()

    def _action_send_mail(self, res_ids=None):
        if self.env["campaign.pressure.engine"]._pressure_disabled():
            return super()._action_send_mail(res_ids=res_ids)
        for mailing in self:
            if mailing.mailing_type == "sms":
                # screened in action_send_sms, which Odoo calls for them
                super(MailingMailing, mailing)._action_send_mail(res_ids=res_ids)
                continue
            kept = mailing._budget_screen(res_ids)
            if kept == []:
                mailing._budget_all_held()
                continue
            super(MailingMailing, mailing)._action_send_mail(res_ids=kept)
        return True

    def action_send_sms(self, res_ids=None):
        if self.env["campaign.pressure.engine"]._pressure_disabled():
            return super().action_send_sms(res_ids=res_ids)
        for mailing in self:
            kept = mailing._budget_screen(res_ids)
            if kept == []:
                mailing._budget_all_held()
                continue
            super(MailingMailing, mailing).action_send_sms(res_ids=kept)
        return True

    def _budget_check_affordable(self):
        """Refuse to queue a mailing whose campaign cannot pay one message."""
        self.ensure_one()
        campaign = self.campaign_id.sudo()
        if not campaign:
            return
        count, available = campaign._budget_affordable(
            self.budget_unit_cost, exclude_mailing=self
        )
        if count == 0:
            raise UserError(
                self.env._(
                    "The budget of the campaign '%(campaign)s' is spent "
                    "(%(available)s left, one message costs %(cost)s): raise the "
                    "budget or send it in another campaign.",
                    campaign=campaign.title,
                    available=tools.format_amount(
                        self.env, available, campaign.budget_currency_id
                    ),
                    cost=tools.format_amount(
                        self.env, self.budget_unit_cost, campaign.budget_currency_id
                    ),
                )
            )

    def _budget_send_excluded(self):
        """The mailing whose reservations the screening of this send leaves
        out of the budget: this one, whose reservations are those of the
        send being screened (the queue's cron resumes an interrupted send
        to the remaining recipients). A send that comes in several batches
        of its own (a journey step's) returns none: the reservations of
        its earlier batches hold the budget."""
        self.ensure_one()
        return self

    def _budget_limits(self, count):
        """How many of ``count`` recipients this send may reach: ``(allowed,
        code, args)``, code and args of the reason the others are held back
        (``budget`` or ``capacity``); allowed None when nothing limits it."""
        self.ensure_one()
        channel = self._pressure_channel()
        campaign = self.campaign_id.sudo()
        limits = []
        if campaign:
            campaign._budget_lock()
            cost = self.budget_unit_cost
            affordable, available = campaign._budget_affordable(
                cost, exclude_mailing=self._budget_send_excluded()
            )
            if affordable is not None:
                currency = campaign.budget_currency_id
                limits.append(
                    (
                        affordable,
                        "budget",
                        {
                            "campaign_id": campaign.id,
                            "remaining": tools.format_amount(
                                self.env, available, currency
                            ),
                            "budget": tools.format_amount(
                                self.env, campaign.budget_planned, currency
                            ),
                            "cost": tools.format_amount(self.env, cost, currency),
                        },
                    )
                )
        line = self.env["campaign.pressure.channel.cost"]._for(
            self.env.company, channel
        )
        if line.capacity_limited:
            used = line._used_today().get((line.company_id.id, channel), 0)
            limits.append(
                (
                    max(0, line.daily_capacity - used),
                    "capacity",
                    {"channel": channel, "capacity": line.daily_capacity},
                )
            )
        limits = [limit for limit in limits if limit[0] < count]
        if not limits:
            return None, False, None
        return min(limits, key=lambda limit: limit[0])

    def _budget_screen(self, res_ids=None):
        """Hold back the recipients over the budget or the capacity: the
        ids to send (``res_ids`` or None for "the remaining recipients", as
        Odoo's send takes them), ``[]`` when none may go."""
        self.ensure_one()
        candidates = list(res_ids) if res_ids else self._get_remaining_recipients()
        if not candidates:
            return res_ids
        allowed, code, args = self._budget_limits(len(candidates))
        if allowed is None:
            return res_ids
        held = candidates[allowed:]
        self._budget_hold(held, code, args)
        if not res_ids:
            return None if allowed else []
        return candidates[:allowed]

    def _budget_hold(self, res_ids, code, args):
        """Traces of the recipients held back, as the engine records its
        holds (failure type "Marketing pressure", reason code and args), in
        one create; and a note in the chatter."""
        engine = self.env["campaign.pressure.engine"]
        channel = self._pressure_channel()
        addresses = self._budget_addresses(res_ids, channel)
        decision = {"reason_code": code, "reason_args": args}
        self.env["mailing.trace"].sudo().create(
            [
                dict(
                    engine._pressure_trace_reason(decision),
                    mass_mailing_id=self.id,
                    model=self.mailing_model_real,
                    res_id=res_id,
                    trace_type="sms" if channel == "sms" else "mail",
                    trace_status="cancel",
                    failure_type="pressure",
                    **{
                        "sms_number" if channel == "sms" else "email": addresses.get(
                            res_id
                        )
                        or False
                    },
                )
                for res_id in res_ids
            ]
        )
        render = engine._pressure_reason_renderer()
        self.sudo().message_post(
            body=self.env._(
                "%(count)s recipient(s) held back: %(reason)s",
                count=len(res_ids),
                reason=render(code, args),
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _budget_addresses(self, res_ids, channel):
        """``{res_id: number or email}`` a held trace shows, read as Odoo's
        send reads them (a record without one shows none)."""
        records = self.env[self.mailing_model_real].browse(res_ids)
        if channel == "sms":
            if not hasattr(records, "_sms_get_recipients_info"):
                return {}
            info = records._sms_get_recipients_info()
            return {
                rid: (info.get(rid) or {}).get("sanitized")
                or (info.get(rid) or {}).get("number")
                for rid in res_ids
            }
        if not hasattr(records, "_mail_get_primary_email_field"):
            return {}
        fname = records._mail_get_primary_email_field()
        if not fname:
            return {}
        return {record.id: tools.email_normalize(record[fname]) for record in records}

    def _budget_all_held(self):
        """Nobody could be paid: the mailing is done, as Odoo marks a
        mailing with no recipient left."""
        self.write(
            {
                "state": "done",
                "sent_date": fields.Datetime.now(),
                "kpi_mail_required": not self.sent_date,
            }
        )
