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

# programme -> (intake starts: "academic" every September, "rolling" every
# six months around today), duration in months
PROGRAMMES = {
    "bsc_cs": "academic",
    "mba": "academic",
    "data": "rolling",
}
INTAKE_KEYS = {"prev2": -2, "prev": -1, "current": 0, "next": 1}

# (student, programme, intake, fate, days or months of the fate, reason, lead)
# fate: what happened to the enrolment; for on_leave the days ago, for
# withdrawn the months after the start
ENROLMENTS = [
    # BSc Computer Science: three cohorts studying, one applying
    ("13", "bsc_cs", "prev2", "enrolled", 0, None, None),
    (
        "16",
        "bsc_cs",
        "prev2",
        "on_leave",
        60,
        "A semester abroad with her family.",
        None,
    ),
    ("21", "bsc_cs", "prev2", "withdrawn", 10, "Moved to another university.", None),
    ("19", "bsc_cs", "prev", "enrolled", 0, None, None),
    (
        "22",
        "bsc_cs",
        "prev",
        "withdrawn",
        4,
        "Could not combine the programme with his job.",
        None,
    ),
    ("01", "bsc_cs", "current", "enrolled", 0, None, "lead_enrolled_01_demo"),
    ("04", "bsc_cs", "current", "enrolled", 0, None, "lead_enrolled_04_demo"),
    ("07", "bsc_cs", "current", "enrolled", 0, None, None),
    ("10", "bsc_cs", "current", "enrolled", 0, None, None),
    ("20", "bsc_cs", "next", "applied", 0, None, None),
    ("23", "bsc_cs", "next", "admitted", 0, None, None),
    # Executive MBA: a graduated cohort, two studying, one applying
    ("11", "mba", "prev2", "graduated", 0, None, None),
    ("17", "mba", "prev2", "graduated", 0, None, None),
    (
        "24",
        "mba",
        "prev2",
        "withdrawn",
        8,
        "Changed employer; the new one does not fund the programme.",
        None,
    ),
    ("02", "mba", "prev", "enrolled", 0, None, "lead_enrolled_02_demo"),
    ("08", "mba", "prev", "enrolled", 0, None, None),
    ("14", "mba", "prev", "on_leave", 30, "Parental leave.", None),
    ("05", "mba", "current", "enrolled", 0, None, "lead_enrolled_05_demo"),
    ("25", "mba", "next", "applied", 0, None, None),
    # Certificate in Data Analytics (six months): two graduated cohorts
    ("12", "data", "prev2", "graduated", 0, None, None),
    ("18", "data", "prev2", "graduated", 0, None, None),
    ("09", "data", "prev", "graduated", 0, None, None),
    ("15", "data", "prev", "withdrawn", 2, "Did not start the second module.", None),
    ("03", "data", "current", "enrolled", 0, None, "lead_enrolled_03_demo"),
    ("06", "data", "current", "enrolled", 0, None, "lead_enrolled_06_demo"),
    ("26", "data", "next", "applied", 0, None, None),
]
SPONSORS = {
    "01": "sponsor_dnipro_demo",
    "02": "sponsor_dnipro_demo",
    "05": "sponsor_dnipro_demo",
    "06": "sponsor_balkan_demo",
    "08": "sponsor_balkan_demo",
}

# Tuition contracts: xmlid suffix, student, plan, start, payers, terms,
# payments {instalment: (share of the invoice paid, days after due)} with
# "*" for every other instalment, and what the bursar did next.
# start: ("year", k) = 1 September of academic year k (0 = this one),
# ("intake",) = the start of the student's intake, ("days", n) = today + n
STUDENT = None  # payer: the student
CONTRACTS = [
    # last academic year: paid, closed by themselves
    (
        "h1",
        "13",
        "payment_plan_semester",
        ("year", -1),
        None,
        {},
        {"*": (1, 0), 2: (1, 9)},
    ),
    (
        "h2",
        "19",
        "payment_plan_monthly_10",
        ("year", -1),
        None,
        {},
        {"*": (1, 0), 3: (1, 6), 7: (1, 21)},
    ),
    (
        "h3",
        "02",
        "payment_plan_semester",
        ("year", -1),
        "sponsor_dnipro_demo",
        {},
        {"*": (1, -3)},
    ),
    (
        "h4",
        "08",
        "payment_plan_semester",
        ("year", -1),
        "sponsor_balkan_demo",
        {},
        {1: (1, 10), 2: (1, 14)},
    ),
    ("h5", "11", "payment_plan_upfront", ("year", -1), None, {}, {"*": (1, -5)}),
    (
        "h6",
        "09",
        "payment_plan_monthly_6_demo",
        ("intake",),
        None,
        {},
        {"*": (1, 0), 6: (1, 18)},
    ),
    ("h7", "12", "payment_plan_upfront", ("intake",), None, {}, {"*": (1, 2)}),
    # withdrew after the first semester was paid: cancelled by the bursar
    (
        "h8",
        "22",
        "payment_plan_semester",
        ("year", -1),
        None,
        {"cancel_months": 4},
        {1: (1, 0)},
    ),
    # this academic year
    (
        "c1",
        "01",
        "payment_plan_monthly_10",
        ("year", 0),
        "sponsor_dnipro_demo",
        {},
        {"*": (1, 0)},
    ),
    ("c2", "13", "payment_plan_semester", ("year", 0), None, {}, {"*": (1, 0)}),
    (
        "c3",
        "19",
        "payment_plan_monthly_10",
        ("year", 0),
        None,
        {},
        {"*": (1, 2), 3: (1, 15)},
    ),
    (
        "c4",
        "02",
        "payment_plan_semester",
        ("year", 0),
        "sponsor_dnipro_demo",
        {},
        {1: (0.4, 3)},
    ),
    (
        "c5",
        "08",
        "payment_plan_semester",
        ("year", 0),
        "sponsor_balkan_demo",
        {},
        {1: (1, 7)},
    ),
    (
        "c6",
        "06",
        "payment_plan_monthly_6_demo",
        ("intake",),
        "sponsor_balkan_demo",
        {},
        {1: (1, 4), 2: (1, 6), "*": (1, 0)},
    ),
    # signed late: overdue now, the reminder ladder's next run acts on them
    (
        "r1",
        "05",
        "payment_plan_semester",
        ("days", -20),
        "split",
        {},
        {1: (1, 2, "student")},
    ),
    ("r2", "03", "payment_plan_upfront", ("days", -5), None, {"discount": 10}, {}),
    (
        "r3",
        "04",
        "payment_plan_semester",
        ("days", -35),
        None,
        {"scholarship_amount": 500},
        {},
    ),
    # starts in ten days (first instalment invoiced); a draft proposal
    ("r4", "07", "payment_plan_monthly_10", ("days", 10), None, {}, {}),
    (
        "r5",
        "10",
        "payment_plan_custom_deposit",
        ("days", 30),
        None,
        {"draft": True},
        {},
    ),
]
# the reminder ladder ran a week ago: the stages reached since wait for its
# next run
LADDER_LAST_RUN_DAYS = 7


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
                        "name": start.strftime("%Y-%m"),
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
