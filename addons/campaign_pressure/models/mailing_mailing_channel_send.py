from collections import defaultdict
from datetime import timedelta

from odoo import fields, models
from odoo.tools import SQL, html2plaintext


class MailingMailing(models.Model):
    """The send of a "best channel" mailing: what is sent is the plan
    (``_channel_plan``), computed again at the send on the same data as the
    check showed.

    Emails go out through the mailing itself (its budget stop and pressure
    check apply); SMS through Odoo's SMS composer, in mass mode on the
    mailing's text; calls are marketing-call tasks on the record, on the
    day the call centre's capacity leaves (the planned date); letters are
    logged as the letter wizard logs them. The people left out get a trace
    held back with the planner's reason. Calls and letters are logged in the
    contact log with the mailing and its campaign, so they count in its
    budget.
    """

    _inherit = "mailing.mailing"

    def _action_send_mail(self, res_ids=None):
        engine = self.env["campaign.pressure.engine"]
        best = self.filtered("best_channel")
        if engine._pressure_disabled() or not best:
            return super()._action_send_mail(res_ids=res_ids)
        super(MailingMailing, self - best)._action_send_mail(res_ids=res_ids)
        for mailing in best:
            mailing._channel_plan_send(res_ids)
        return True

    def _get_remaining_recipients(self):
        """A person the plan reached by a call or a letter has no trace of
        the mailing; their contact of the mailing in the log says they are
        done (one query)."""
        res_ids = super()._get_remaining_recipients()
        if not self.best_channel or not res_ids:
            return res_ids
        column = self._channel_plan_partner_column()
        if not column:
            return res_ids
        model = self.env[self.mailing_model_real]
        self.env["campaign.pressure.contact"].flush_model(
            ["mailing_id", "partner_id", "state"]
        )
        done = {
            row[0]
            for row in self.env.execute_query(
                SQL(
                    """
                    SELECT r.id FROM %(table)s r
                     WHERE r.id = ANY(%(ids)s) AND EXISTS (
                           SELECT 1 FROM campaign_pressure_contact c
                            WHERE c.mailing_id = %(mailing)s
                              AND c.partner_id = r.%(column)s
                              AND c.state != 'released')
                    """,
                    table=SQL.identifier(model._table),
                    ids=list(res_ids),
                    mailing=self.id,
                    column=SQL.identifier(column),
                )
            )
        }
        return [res_id for res_id in res_ids if res_id not in done]

    def _channel_plan_send(self, res_ids=None):
        """Send the plan of ``res_ids`` (else the remaining recipients)."""
        self.ensure_one()
        if res_ids is None:
            res_ids = self._get_remaining_recipients()
        plan = self._channel_plan(list(res_ids))
        by_channel = defaultdict(list)
        for assignment in plan.assignments:
            by_channel[assignment.channel].append(assignment)
        self._channel_plan_hold(plan.exclusions)
        if by_channel.get("phone"):
            self._channel_plan_calls(by_channel["phone"])
        if by_channel.get("letter"):
            self._channel_plan_letters(by_channel["letter"])
        if by_channel.get("sms"):
            self._channel_plan_sms([a.ref for a in by_channel["sms"]])
        emails = [a.ref for a in by_channel.get("email", ())]
        if emails:
            super()._action_send_mail(res_ids=emails)
        else:
            self._budget_all_held()
        return plan

    def _channel_plan_hold(self, exclusions):
        """Traces of the people left out, held back with the planner's
        reason (``channel_plan``'s code, rendered by the engine)."""
        grouped = defaultdict(list)
        for exclusion in exclusions:
            grouped[exclusion.reason].append(exclusion.ref)
        for reason, refs in grouped.items():
            self._budget_hold(refs, f"plan_{reason}", {})

    def _channel_plan_log(self, channel, refs, when):
        """Contacts of the mailing's campaign in the log for calls and
        letters sent by the plan, dated ``when`` (ref -> datetime)."""
        engine = self.env["campaign.pressure.engine"]
        people = self._channel_plan_people(refs)
        decisions = {
            ref: {
                "allowed": True,
                "key": f"p:{people[ref]['pid']}",
                "partner_id": people[ref]["pid"],
            }
            for ref in refs
            if ref in people
        }
        values = {
            "mailing_id": self.id,
            "campaign_id": self.campaign_id.id,
            "res_model": self.mailing_model_real,
            "company_id": self.env.company.id,
            "user_id": self.env.uid,
        }
        for day in sorted(set(when.values())):
            batch = {ref: d for ref, d in decisions.items() if when[ref] == day}
            engine._pressure_log(
                batch,
                channel,
                "letter" if channel == "letter" else "activity",
                values,
                state="confirmed" if channel == "letter" else "reserved",
                now=day,
            )

    def _channel_plan_calls(self, assignments):
        """A marketing call task per person, due on its planned day. The
        task's own reservation (the activity's pressure check) is dated and
        attributed to the mailing's campaign."""
        call_type = self.env.ref("campaign_pressure.mail_activity_type_marketing_call")
        model_id = self.env["ir.model"]._get_id(self.mailing_model_real)
        today = fields.Date.context_today(self)
        activities = (
            self.env["mail.activity"]
            .sudo()
            .create(
                [
                    {
                        "activity_type_id": call_type.id,
                        "res_model_id": model_id,
                        "res_id": a.ref,
                        "summary": self.subject or self.name,
                        "date_deadline": today + timedelta(days=a.day),
                        "user_id": (self.user_id or self.env.user).id,
                    }
                    for a in assignments
                ]
            )
        )
        self.env["campaign.pressure.contact"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE campaign_pressure_contact c
                   SET campaign_id = %(campaign)s, mailing_id = %(mailing)s,
                       contact_date = c.contact_date + a.day * interval '1 day'
                  FROM unnest(%(ids)s::int[], %(days)s::int[]) AS a(id, day)
                 WHERE c.res_model = 'mail.activity' AND c.res_id = a.id
                   AND c.state = 'reserved'
                """,
                campaign=self.campaign_id.id or None,
                mailing=self.id,
                ids=activities.ids,
                days=[a.day for a in assignments],
            )
        )
        self.env["campaign.pressure.contact"].invalidate_model()
        return activities

    def _channel_plan_letters(self, assignments):
        now = fields.Datetime.now()
        self._channel_plan_log(
            "letter",
            [a.ref for a in assignments],
            dict.fromkeys((a.ref for a in assignments), now),
        )

    def _channel_plan_sms(self, refs):
        """The SMS of the plan: Odoo's SMS composer in mass mode on the
        records, with the mailing's text (its pressure check applies)."""
        body = self.body_plaintext or html2plaintext(self.body_html or "")
        composer = (
            self.env["sms.composer"]
            .with_context(active_ids=refs)
            .create(
                {
                    "composition_mode": "mass",
                    "res_model": self.mailing_model_real,
                    "res_ids": repr(refs),
                    "body": body,
                    "mass_keep_log": False,
                    "mass_force_send": False,
                    "mailing_id": self.id,
                    "utm_campaign_id": self.campaign_id.id,
                }
            )
        )
        composer._action_send_sms()
