"""The demo story of the education CRM, told through the models' own
transitions: intakes opened and closed, enrolments admitted, enrolled, sent
on leave, withdrawn and graduated, tuition contracts activated, invoiced by
the daily job's rule and paid through Accounting's payment wizard, the
reminder ladder and a mailing read by the students. Every date is relative to
the day the demo is installed.

Demo data only: this model holds no business rule and nothing calls it but
the demo files (``<function>``); its methods are private (not callable over
RPC)."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from odoo import Command, api, fields, models

from .edu_crm_demo_data import (
    CONTRACTS,
    ENROLMENTS,
    INTAKE_KEYS,
    LADDER_LAST_RUN_DAYS,
    PROGRAMMES,
    SPONSORS,
)


class EduCrmDemo(models.AbstractModel):
    _name = "edu.crm.demo"
    _description = "Education CRM demo story"

    @api.model
    def _ref(self, name):
        return self.env.ref(f"edu_crm.{name}")

    @api.model
    def _set_xmlid(self, name, record):
        self.env["ir.model.data"]._update_xmlids(
            [{"xml_id": f"edu_crm.{name}", "record": record, "noupdate": True}]
        )

    @api.model
    def _today(self):
        return fields.Date.context_today(self)

    @api.model
    def _academic_year(self):
        """The year the current academic year (September to August) began."""
        return (self._today() - relativedelta(months=8)).year

    # ------------------------------------------------------------------
    # Intakes
    # ------------------------------------------------------------------
    @api.model
    def _intake_start(self, programme_key, offset):
        if PROGRAMMES[programme_key] == "academic":
            return date(self._academic_year() + offset, 9, 1)
        # rolling six-month intakes: the current one began three months ago
        return self._today().replace(day=1) + relativedelta(months=6 * offset - 3)

    @api.model
    def _intake_name(self, programme_key, key, start):
        """The intake's month, or "Autumn" for the next September intake of
        an academic programme: a name translated in the module's .po files
        (by the intake's XML id), as the catalogue shows it in uk/ru/bg."""
        if key == "next" and PROGRAMMES[programme_key] == "academic":
            return "Autumn"
        return start.strftime("%Y-%m")

    @api.model
    def _create_intakes(self):
        """Four intakes per programme, each as long as its programme: two
        earlier cohorts, the current one and the next one. The intakes that
        have started are closed to applications (once their students are
        enrolled: ``_create_enrolments``), the next one is open."""
        Intake = self.env["edu.intake"]
        intakes = Intake
        for programme_key in PROGRAMMES:
            programme = self._ref(f"programme_{programme_key}_demo")
            for key, offset in INTAKE_KEYS.items():
                start = self._intake_start(programme_key, offset)
                intake = Intake.create(
                    {
                        "programme_id": programme.id,
                        "name": self._intake_name(programme_key, key, start),
                        "date_start": start,
                        "date_end": start
                        + relativedelta(months=programme.duration_months, days=-1),
                    }
                )
                self._set_xmlid(f"intake_{programme_key}_{key}_demo", intake)
                intakes |= intake
        intakes.action_open()

    # ------------------------------------------------------------------
    # Enrolments
    # ------------------------------------------------------------------
    @api.model
    def _create_enrolments(self):
        """Enrolments in every state over three academic years, moved by the
        enrolment's own transitions on the days they happened; the intakes
        that started are closed afterwards."""
        today = self._today()
        Enrollment = self.env["edu.enrollment"]
        for number, programme_key, key, fate, amount, reason, lead in ENROLMENTS:
            intake = self._ref(f"intake_{programme_key}_{key}_demo")
            start = intake.date_start
            sponsor = SPONSORS.get(number)
            vals = {
                "partner_id": self._ref(f"student_{number}_demo").id,
                "programme_id": intake.programme_id.id,
                "intake_id": intake.id,
                "date_applied": min(
                    start - timedelta(days=150), today - timedelta(days=12)
                ),
                "funding": "sponsored" if sponsor else "self_paid",
                "sponsor_id": self._ref(sponsor).id if sponsor else False,
            }
            if lead:
                vals["lead_id"] = self._ref(lead).id
            enrollment = Enrollment.create(vals)
            self._set_xmlid(f"enrollment_{number}_demo", enrollment)
            if fate == "applied":
                continue
            enrollment._edu_set_state(
                "admitted",
                date=min(start - timedelta(days=60), today - timedelta(days=3)),
            )
            if fate == "admitted":
                continue
            enrollment._edu_set_state("enrolled", date=start)
            if fate == "on_leave":
                enrollment._edu_set_state(
                    "on_leave", reason=reason, date=today - timedelta(days=amount)
                )
            elif fate == "withdrawn":
                enrollment._edu_set_state(
                    "withdrawn",
                    reason=reason,
                    date=start + relativedelta(months=amount),
                )
            elif fate == "graduated":
                enrollment._edu_set_state("graduated", date=intake.date_end)
        started = self.env["edu.intake"].search(
            [
                ("programme_id", "in", self._programmes().ids),
                ("state", "=", "open"),
                ("date_start", "<=", today),
            ]
        )
        started.action_close()

    @api.model
    def _programmes(self):
        return self.env["edu.programme"].concat(
            *(self._ref(f"programme_{key}_demo") for key in PROGRAMMES)
        )

    # ------------------------------------------------------------------
    # Admissions funnel
    # ------------------------------------------------------------------
    @api.model
    def _backfill_stage_history(self):
        """Give the admissions leads that have just their creation row a
        plausible past path through the stages of their team (a few days per
        stage, ending now), so the funnel report has data."""
        History = self.env["edu.lead.stage.history"].sudo()
        leads = (
            self.env["crm.lead"]
            .with_context(active_test=False)
            .search([("team_id.edu_is_admissions", "=", True)])
        )
        counts = dict(
            History._read_group(
                [("lead_id", "in", leads.ids)], ["lead_id"], ["__count"]
            )
        )
        leads = leads.filtered(lambda lead: counts.get(lead, 0) <= 1)
        if not leads:
            return
        stages_by_team = {}
        for stage in self.env["crm.stage"].search(
            [("team_id", "in", leads.team_id.ids)], order="sequence, id"
        ):
            stages_by_team.setdefault(stage.team_id, []).append(stage)
        now = fields.Datetime.now()
        vals_list = []
        for lead in leads:
            path = [
                s
                for s in stages_by_team.get(lead.team_id, [])
                if s.sequence <= lead.stage_id.sequence
            ]
            days = [1.5 + ((lead.id * 7 + i * 5) % 9) for i in range(len(path))]
            start = now - timedelta(days=sum(days))
            for i, (stage, duration) in enumerate(zip(path, days, strict=False)):
                end = start + timedelta(days=duration)
                last = i == len(path) - 1
                vals_list.append(
                    {
                        "lead_id": lead.id,
                        "stage_id": stage.id,
                        "team_id": lead.team_id.id,
                        "company_id": lead.company_id.id,
                        "date_in": start,
                        "date_out": False if last and lead.active else min(end, now),
                    }
                )
                start = end
        History.search([("lead_id", "in", leads.ids)]).unlink()
        History.create(vals_list)

    # ------------------------------------------------------------------
    # Tuition
    # ------------------------------------------------------------------
    @api.model
    def _contract_start(self, spec, enrollment):
        if spec[0] == "year":
            return date(self._academic_year() + spec[1], 9, 1)
        if spec[0] == "intake":
            return enrollment.intake_id.date_start
        return self._today() + timedelta(days=spec[1])

    @api.model
    def _payer_commands(self, payers, enrollment):
        student = enrollment.partner_id
        if payers is None:
            return [Command.create({"partner_id": student.id, "share": 100.0})]
        if payers == "split":
            return [
                Command.create(
                    {
                        "partner_id": enrollment.sponsor_id.id,
                        "share": 70.0,
                        "sequence": 1,
                    }
                ),
                Command.create(
                    {"partner_id": student.id, "share": 30.0, "sequence": 2}
                ),
            ]
        return [Command.create({"partner_id": self._ref(payers).id, "share": 100.0})]

    @api.model
    def _create_contracts(self):
        """Tuition contracts over two academic years: activated before their
        start, each instalment invoiced when the daily job would have (its
        lead time before the due date), paid through Accounting's payment
        wizard on the day it was paid; paid contracts close by themselves."""
        today = self._today()
        lead_time = self.env["edu.tuition.instalment"]._edu_invoice_lead_time()
        registrar = self._ref("user_registrar_demo")
        Contract = self.env["edu.tuition.contract"]
        for suffix, number, plan, start_spec, payers, terms, payments in CONTRACTS:
            enrollment = self._ref(f"enrollment_{number}_demo")
            start = self._contract_start(start_spec, enrollment)
            contract = Contract.create(
                {
                    "enrollment_id": enrollment.id,
                    "plan_id": self._ref(plan).id,
                    "user_id": registrar.id,
                    "date_start": start,
                    "discount": terms.get("discount", 0.0),
                    "scholarship_amount": terms.get("scholarship_amount", 0.0),
                    "payer_ids": self._payer_commands(payers, enrollment),
                }
            )
            self._set_xmlid(f"tuition_contract_{suffix}_demo", contract)
            contract.action_generate_schedule()
            if terms.get("draft"):
                continue
            until = today
            if terms.get("cancel_months"):
                until = min(today, start + relativedelta(months=terms["cancel_months"]))
            contract._edu_activate(min(start - lead_time, today))
            # the daily job invoices each instalment its lead time before due
            for inst in contract.instalment_ids.sorted("due_date"):
                invoice_day = max(inst.due_date - lead_time, start - lead_time)
                if inst.payment_state == "to_invoice" and invoice_day <= until:
                    inst._edu_create_invoices(invoice_date=invoice_day)
            self._pay(contract, payments, until)
            if terms.get("cancel_months"):
                contract._edu_cancel("cancel")

    @api.model
    def _pay(self, contract, payments, until):
        """Register the payments of ``contract`` made by ``until``:
        ``payments`` maps an instalment sequence (or ``"*"``) to ``(share of
        the invoice paid, days after the due date[, "student"])``."""
        for inst in contract.instalment_ids.sorted("sequence"):
            spec = payments.get(inst.sequence, payments.get("*"))
            if not spec:
                continue
            ratio, delay = spec[0], spec[1]
            payment_date = inst.due_date + timedelta(days=delay)
            if payment_date > until:
                continue
            invoices = inst.invoice_ids.filtered(
                lambda m: m.move_type == "out_invoice" and m.state == "posted"
            )
            if len(spec) > 2:
                invoices = invoices.filtered(
                    lambda m: m.partner_id == contract.student_id
                )
            for invoice in invoices:
                self.env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=invoice.ids
                ).create(
                    {
                        "amount": invoice.currency_id.round(
                            invoice.amount_total * ratio
                        ),
                        "payment_date": max(payment_date, invoice.invoice_date),
                    }
                )._create_payments()

    @api.model
    def _run_reminder_ladder(self):
        """The reminder ladder as it ran a week ago (its history); what it
        has to do since is left to its next run."""
        Log = self.env["edu.reminder.log"]
        Log._edu_plan_reminders(self._today() - timedelta(days=LADDER_LAST_RUN_DAYS))
        Log.search([("state", "=", "pending")])._edu_dispatch()

    # ------------------------------------------------------------------
    # Engagement
    # ------------------------------------------------------------------
    @api.model
    def _send_student_mailing(self):
        """The welcome mailing of the academic year, sent to the students (no
        mail leaves the demo database: the queued mails are taken as
        delivered), opened by most of them, its link clicked by some: the
        engagement segment has members."""
        mailing = self._ref("mailing_welcome_demo")
        res_ids = mailing._get_remaining_recipients()
        if not res_ids:
            return
        composer = (
            self.env["mail.compose.message"]
            .with_context(active_ids=res_ids, default_composition_mode="mass_mail")
            .create(
                {
                    "body": mailing.body_html,
                    "composition_mode": "mass_mail",
                    "mass_mailing_id": mailing.id,
                    "model": mailing.mailing_model_real,
                    "subject": mailing.subject,
                    "email_from": mailing.email_from,
                    "force_send": False,
                }
            )
        )
        composer._action_send_mail(auto_commit=False)
        mails = self.env["mail.mail"].sudo().search([("mailing_id", "=", mailing.id)])
        # as mail.mail._send() writes a sent mail: none left in the queue
        mails.write({"state": "sent", "failure_reason": False})
        mails._postprocess_sent_message(success_pids=self.env["res.partner"])
        traces = mailing.mailing_trace_ids.filtered(
            lambda t: t.trace_status == "sent"
        ).sorted("res_id")
        opened = traces.filtered(lambda t: t.res_id % 3 != 0)
        opened.set_opened()
        opened.filtered(lambda t: t.res_id % 3 == 1).set_clicked()
        mailing.write({"state": "done", "sent_date": fields.Datetime.now()})

    # ------------------------------------------------------------------
    # The story
    # ------------------------------------------------------------------
    @api.model
    def _tell_tuition(self):
        self._create_contracts()
        self._run_reminder_ladder()
        self._send_student_mailing()
        self.env["res.partner"]._cron_compute_segments()
