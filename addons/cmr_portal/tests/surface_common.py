"""The users and the fixtures of ``test_surface.py``: one record per model
in a state where the allowed user succeeds (``_new_<model>``), and the
calls that need more than a record (``_call_<model>_<method>``)."""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from .surface_calls import SurfaceCalls
from .test_tuition_portal import TuitionPortalCommon


class SurfaceCommon(SurfaceCalls, TuitionPortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        common = {
            "company_id": cls.company.id,
            "company_ids": [Command.set(cls.company.ids)],
        }
        cls.users = {
            "portal": cls.user_student,
            "employee": new_test_user(
                env, login="srf_employee", groups="base.group_user", **common
            ),
            "marketing": new_test_user(
                env,
                login="srf_marketing",
                groups="mass_mailing.group_mass_mailing_user",
                **common,
            ),
            "pressure": new_test_user(
                env,
                login="srf_pressure",
                groups="campaign_pressure.group_pressure_manager",
                **common,
            ),
            "edu_user": cls.clerk,
            "edu_manager": cls.bursar,
        }
        # admissions officers answer for the admission questionnaire too
        survey_user = env.ref("survey.group_survey_user")
        (cls.clerk | cls.bursar).write({"groups_id": [Command.link(survey_user.id)]})

    def _invoke(self, make, model, method, user):
        if make:
            return make(user)
        record = self._record(model).with_user(user)
        return getattr(record, method)()

    def _succeeds(self, make, model, method, user):
        """The allowed user runs the method; everything is rolled back."""
        savepoint = self.env.cr.savepoint(flush=True)
        try:
            self._invoke(make, model, method, user)
            self.env.flush_all()
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all()

    def _refused(self, make, model, method, user):
        with self.assertRaises(AccessError):
            self._invoke(make, model, method, user)
        self.env.invalidate_all()

    def _other_value(self, record, field_name, guard):
        """The value written by the attack: for a workflow or terms field
        another value than the current one (a guard may let the current value
        pass, as a merge writes it back), else the current one (refused anyway
        by the access rights of the user)."""
        field = record._fields[field_name]
        if guard in ("workflow", "terms") and field.type == "selection":
            options = [key for key, _label in field._description_selection(self.env)]
            return next(opt for opt in options if opt != record[field_name])
        if guard in ("workflow", "terms") and field.type == "many2one":
            return (
                False
                if record[field_name]
                else self.env[field.comodel_name].search([], limit=1).id
            )
        if guard in ("workflow", "terms"):
            forged = {
                "char": lambda v: f"{v or ''}-forged",
                "integer": lambda v: (v or 0) + 1,
                "float": lambda v: (v or 0.0) + 1.0,
                "monetary": lambda v: (v or 0.0) + 1.0,
                "boolean": lambda v: not v,
                "date": lambda v: (v or fields.Date.today()) + timedelta(days=1),
                "datetime": lambda v: (v or fields.Datetime.now()) + timedelta(days=1),
            }.get(field.type)
            if forged:
                return forged(record[field_name])
        return field.convert_to_write(record[field_name], record)

    # ------------------------------------------------------------------
    # Fixtures: one record per model (superuser), built by the test
    # ------------------------------------------------------------------
    @property
    def su_env(self):
        return self.env(su=True)

    def _record(self, model):
        builder = getattr(self, f"_new_{model.replace('.', '_')}", None)
        if builder:
            return builder()
        record = self.su_env[model].with_context(active_test=False).search([], limit=1)
        self.assertTrue(record, f"no fixture for {model}")
        return record

    def _new_campaign_pressure_rule(self):
        return self.su_env["campaign.pressure.rule"].create(
            {
                "name": "Surface rule",
                "channel_ids": [
                    Command.set(self.su_env["campaign.pressure.channel"].search([]).ids)
                ],
                "window_type": "rolling",
                "window_days": 7,
                "max_contacts": 3,
                "active": False,
            }
        )

    def _new_edu_programme(self):
        return self.programme

    def _new_edu_programme_requirement(self):
        return self.su_env["edu.programme.requirement"].create(
            {"programme_id": self.programme.id, "name": "Surface diploma"}
        )

    def _new_edu_timeline(self):
        """An entry whose record (the person) every Education user reads."""
        self.student.message_post(body="Surface", message_type="comment")
        self.env.flush_all()
        return self.su_env["edu.timeline"].search(
            [("partner_id", "=", self.student.id), ("res_model", "=", "res.partner")],
            limit=1,
        )

    def _new_edu_tuition_contract(self):
        return self.contract  # active: its terms are frozen

    def _new_edu_tuition_instalment(self):
        return self.contract.instalment_ids[:1]

    def _new_edu_tuition_payer(self):
        return self.contract.payer_ids[:1]

    def _new_account_move(self):
        return self.invoice

    def _new_edu_intake(self, open_intake=False):
        intake = self.su_env["edu.intake"].create(
            {
                "programme_id": self.programme.id,
                "name": "Surface intake",
                "date_start": fields.Date.today(),
                "date_end": fields.Date.add(fields.Date.today(), years=1),
            }
        )
        if open_intake:
            intake.action_open()
        return intake

    def _new_edu_enrollment(self, state="applied"):
        partner = self.su_env["res.partner"].create({"name": f"Surface {state}"})
        return self._enrollment_in(partner, state)

    def _enrollment_in(self, partner, state):
        enrollment = self.su_env["edu.enrollment"].create(
            {
                "partner_id": partner.id,
                "programme_id": self.programme.id,
                "intake_id": self._new_edu_intake(open_intake=True).id,
            }
        )
        if state in ("admitted", "enrolled", "on_leave"):
            enrollment.action_admit()
        if state in ("enrolled", "on_leave"):
            enrollment.action_enrol()
        if state == "on_leave":
            self.su_env["edu.enrollment.reason.wizard"].create(
                {
                    "enrollment_ids": [Command.set(enrollment.ids)],
                    "target_state": "on_leave",
                    "reason": "Surface test",
                }
            ).action_confirm()
        return enrollment

    def _new_edu_document(self):
        return self.su_env["edu.document"]._edu_issue(
            "enrolment_certificate",
            self.student,
            source=self._new_edu_enrollment("enrolled"),
        )

    def _new_crm_lead(self):
        return self.su_env["crm.lead"].create(
            {
                "name": "Surface applicant",
                "type": "opportunity",
                "team_id": self.su_env.ref("edu_crm.crm_team_admissions").id,
                "contact_name": "Surface Applicant",
                "email_from": "surface.applicant@example.com",
                "partner_id": self.su_env["res.partner"]
                .create(
                    {
                        "name": "Surface Applicant",
                        "email": "surface.applicant@example.com",
                    }
                )
                .id,
                "edu_programme_id": self.programme.id,
                "edu_intake_id": self._new_edu_intake(open_intake=True).id,
                "company_id": self.company.id,
            }
        )

    def _new_cmr_request(self):
        return self.su_env["cmr.request"].create(
            {
                "partner_id": self.student.id,
                "request_type": "other",
                "description": "When is the exam?",
            }
        )

    def _new_cmr_feedback(self):
        return self.su_env["cmr.feedback"].create(
            {"partner_id": self.student.id, "rating": "1", "comment": "Too many"}
        )

    def _new_mailing_mailing(self):
        return self.su_env["mailing.mailing"].create(
            {
                "subject": "Open day",
                "body_html": "<p>Come</p>",
                "mailing_model_id": self.su_env["ir.model"]._get_id("res.partner"),
                "mailing_domain": [("id", "=", self.student.id)],
            }
        )

    def _new_campaign_pressure_channel_cost(self):
        return self.su_env["campaign.pressure.channel.cost"].create(
            {
                "channel_id": self.su_env.ref("campaign_pressure.channel_letter").id,
                "company_id": self.su_env["res.company"]
                .create({"name": "Surface letters"})
                .id,
                "cost": 0.9,
            }
        )

    def _new_campaign_response(self):
        return self.su_env["campaign.response"].create(
            {"partner_id": self.student.id, "polarity": "negative"}
        )

    def _new_mailing_trace(self):
        return self.su_env["mailing.trace"].create(
            {
                "mass_mailing_id": self._new_mailing_mailing().id,
                "model": "res.partner",
                "res_id": self.student.id,
                "email": self.student.email,
                "trace_status": "sent",
            }
        )

    def _new_mail_activity(self):
        return self.su_env["mail.activity"].create(
            {
                "res_model_id": self.su_env["ir.model"]._get_id("res.partner"),
                "res_id": self.student.id,
                "activity_type_id": self.su_env.ref("mail.mail_activity_data_call").id,
                "user_id": self.clerk.id,
            }
        )

    def _new_edu_payment_plan_line(self):
        plan = self.su_env["edu.payment.plan"].create(
            {
                "name": "Surface custom",
                "plan_type": "custom",
                "line_ids": [Command.create({"percentage": 100.0})],
            }
        )
        return plan.line_ids

    def _new_campaign_pressure_simulation(self):
        simulation = self.su_env["campaign.pressure.simulation"].create(
            {"mailing_id": self._new_mailing_mailing().id}
        )
        simulation._run()
        return simulation

    def _new_campaign_pressure_simulation_rule(self):
        simulation = self._new_campaign_pressure_simulation()
        return simulation.rule_line_ids[:1] or self.env[
            "campaign.pressure.simulation.rule"
        ].create({"simulation_id": simulation.id, "held_count": 0})

    def _new_campaign_pressure_simulation_recipient(self):
        simulation = self._new_campaign_pressure_simulation()
        return simulation.recipient_line_ids[:1] or self.env[
            "campaign.pressure.simulation.recipient"
        ].create({"simulation_id": simulation.id, "name": "Surface"})

    def _new_campaign_journey(self):
        journey = self.su_env["campaign.journey"].create(
            {
                "name": "Surface journey",
                "company_id": self.company.id,
                "domain": repr([("id", "=", self.student.id)]),
            }
        )
        self.su_env["campaign.journey.step"].create(
            {"journey_id": journey.id, "name": "Wait", "kind": "wait"}
        )
        return journey

    def _new_campaign_journey_step(self):
        return self._new_campaign_journey().step_ids

    def _new_campaign_journey_participant(self):
        journey = self._new_campaign_journey()
        journey.action_launch()
        return journey.participant_ids

    def _new_campaign_journey_test(self):
        return self.su_env["campaign.journey.test"].create(
            {
                "journey_id": self._new_campaign_journey().id,
                "res_id": self.student.id,
                "email_to": "tester@example.com",
            }
        )

    def _call_campaign_journey_action_stop(self, user):
        journey = self._new_campaign_journey()
        journey.action_launch()
        return self._as(journey, user).action_stop()

    def _call_campaign_journey_test_action_run(self, user):
        wizard = self._wizard(
            "campaign.journey.test",
            user,
            {
                "journey_id": self._new_campaign_journey().id,
                "res_id": self.student.id,
                "email_to": "tester@example.com",
            },
        )
        return wizard.action_run()

    def _new_campaign_pressure_letter(self):
        return self.su_env["campaign.pressure.letter"].create(
            {"partner_ids": [Command.set(self.student.ids)]}
        )

    def _new_edu_enrollment_reason_wizard(self):
        return self.su_env["edu.enrollment.reason.wizard"].create(
            {
                "enrollment_ids": [Command.set(self._new_edu_enrollment().ids)],
                "target_state": "withdrawn",
                "reason": "Moved abroad",
            }
        )

    def _new_edu_lead_enrol_wizard(self):
        return self.su_env["edu.lead.enrol.wizard"].create(
            {"lead_ids": [Command.set(self._new_crm_lead().ids)]}
        )

    def _new_edu_tuition_cancel_wizard(self):
        return self.su_env["edu.tuition.cancel.wizard"].create(
            {"contract_id": self.contract.id, "mode": "credit"}
        )

    def _new_edu_call_log(self):
        return self.su_env["edu.call.log"].create(
            {"partner_id": self.student.id, "outcome": "reached"}
        )
