from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user


class EduCompanyUsersCommon(TransactionCase):
    """Helper shared by the test bases: a user of one company."""

    @classmethod
    def _new_user(cls, login, groups, company):
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )


class EduRecordsCommon(EduCompanyUsersCommon):
    """Two companies, a programme with an open intake in each, Education
    users and managers, a plain CRM salesman and a portal user. The
    admissions team and stages are data of the module (not demo)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Kyiv Campus"})
        cls.edu_user = cls._new_user(
            "rec_user", "edu_crm.group_edu_user", cls.company_a
        )
        cls.edu_manager = cls._new_user(
            "rec_manager", "edu_crm.group_edu_manager", cls.company_a
        )
        cls.edu_user_b = cls._new_user(
            "rec_user_b", "edu_crm.group_edu_user", cls.company_b
        )
        cls.salesman = cls._new_user(
            "rec_salesman", "sales_team.group_sale_salesman", cls.company_a
        )
        cls.portal_user = new_test_user(
            cls.env, login="rec_portal", groups="base.group_portal"
        )
        cls._setup_admission_stages()
        cls._setup_records_programmes()

    @classmethod
    def _setup_admission_stages(cls):
        cls.team = cls.env.ref("edu_crm.crm_team_admissions")
        cls.stage_inquiry = cls.env.ref("edu_crm.crm_stage_inquiry")
        cls.stage_application = cls.env.ref("edu_crm.crm_stage_application")
        cls.stage_documents = cls.env.ref("edu_crm.crm_stage_documents")
        cls.stage_interview = cls.env.ref("edu_crm.crm_stage_interview")
        cls.stage_offer = cls.env.ref("edu_crm.crm_stage_offer")
        cls.stage_accepted = cls.env.ref("edu_crm.crm_stage_accepted")
        cls.stage_enrolled = cls.env.ref("edu_crm.crm_stage_enrolled")

    @classmethod
    def _setup_records_programmes(cls):
        """A programme with an open intake in each company, a sponsor."""
        cls.product = cls.env["product.product"].create(
            {"name": "Tuition Computer Science", "type": "service", "lst_price": 3000}
        )
        cls.programme = cls.env["edu.programme"].create(
            {
                "code": "CS",
                "name": "Computer Science",
                "level": "bachelor",
                "mode": "full_time",
                "duration_months": 36,
                "capacity": 3,
                "product_id": cls.product.id,
                "company_id": cls.company_a.id,
            }
        )
        cls.intake = cls.env["edu.intake"].create(
            {
                "programme_id": cls.programme.id,
                "name": "Autumn 2026",
                "date_start": fields.Date.to_date("2026-09-01"),
                "date_end": fields.Date.to_date("2029-06-30"),
                "state": "open",
            }
        )
        cls.programme_b = cls.env["edu.programme"].create(
            {
                "code": "LAW",
                "name": "Law",
                "capacity": 10,
                "company_id": cls.company_b.id,
            }
        )
        cls.intake_b = cls.env["edu.intake"].create(
            {
                "programme_id": cls.programme_b.id,
                "name": "Autumn 2026",
                "date_start": fields.Date.to_date("2026-09-01"),
                "date_end": fields.Date.to_date("2030-06-30"),
                "state": "open",
            }
        )
        cls.sponsor = cls.env["res.partner"].create(
            {"name": "Acme Scholarships", "is_company": True, "edu_is_sponsor": True}
        )

    @classmethod
    def _new_lead(cls, name, stage=None, **values):
        vals = {
            "name": name,
            "type": "opportunity",
            "team_id": cls.team.id,
            "contact_name": name,
            "edu_programme_id": cls.programme.id,
            "edu_intake_id": cls.intake.id,
        }
        if stage:
            vals["stage_id"] = stage.id
        vals.update(values)
        return cls.env["crm.lead"].create(vals)

    def _new_enrollment(self, partner=None, state="applied", intake=None):
        intake = intake or self.intake
        partner = partner or self.env["res.partner"].create({"name": "Ivan Franko"})
        return self.env["edu.enrollment"].create(
            {
                "partner_id": partner.id,
                "programme_id": intake.programme_id.id,
                "intake_id": intake.id,
                "state": state,
            }
        )
