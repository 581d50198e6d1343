from odoo import Command, fields
from odoo.tests import new_test_user


class CmrPortalDataMixin:
    """People, an enrolment, an issued document, a public mailing list, built
    by the tests themselves (no demo data)."""

    @classmethod
    def _cmr_setup_data(cls):
        cls.env["campaign.pressure.rule"].sudo().search([]).active = False
        cls._cmr_setup_people()
        cls._cmr_setup_education()
        cls._cmr_setup_lists_and_requests()

    @classmethod
    def _cmr_setup_people(cls):
        """Two portal students, a staff user, a sponsor's portal contact."""
        env = cls.env
        cls.user_student = new_test_user(
            env,
            login="cmr_student",
            groups="base.group_portal",
            name="Stella Student",
            email="stella@example.com",
            tz="UTC",
        )
        cls.student = cls.user_student.partner_id
        cls.user_other = new_test_user(
            env,
            login="cmr_other",
            groups="base.group_portal",
            name="Otto Other",
            email="otto@example.com",
            tz="UTC",
        )
        cls.other = cls.user_other.partner_id
        cls.user_staff = new_test_user(
            env,
            login="cmr_staff",
            groups="edu_crm.group_edu_user",
            name="Sam Staff",
        )
        cls.sponsor_org = env["res.partner"].create(
            {"name": "Acme Sponsor", "is_company": True, "edu_is_sponsor": True}
        )
        cls.user_sponsor = new_test_user(
            env,
            login="cmr_sponsor",
            groups="base.group_portal",
            name="Sue Sponsor",
            email="sue@acme.example.com",
        )
        cls.user_sponsor.partner_id.parent_id = cls.sponsor_org
        cls.student.sudo().write(
            {
                "edu_is_student": True,
                "edu_sponsor_ids": [Command.link(cls.sponsor_org.id)],
            }
        )
        cls.channel_email = env.ref("campaign_pressure.channel_email")
        cls.channel_sms = env.ref("campaign_pressure.channel_sms")

    @classmethod
    def _cmr_setup_education(cls):
        """An enrolment and an issued certificate for each student."""
        env = cls.env
        cls.programme = env["edu.programme"].create(
            {"code": "CMR-P", "name": "Portal Studies"}
        )
        cls.intake = env["edu.intake"].create(
            {
                "programme_id": cls.programme.id,
                "name": "Autumn",
                "date_start": fields.Date.today(),
                "date_end": fields.Date.add(fields.Date.today(), years=1),
            }
        )
        cls.enrollment = env["edu.enrollment"].create(
            {
                "partner_id": cls.student.id,
                "programme_id": cls.programme.id,
                "intake_id": cls.intake.id,
            }
        )
        # the student holds a certificate of enrolment: enrolled
        cls.intake.action_open()
        cls.enrollment.action_admit()
        cls.enrollment.action_enrol()
        cls.enrollment_other = env["edu.enrollment"].create(
            {
                "partner_id": cls.other.id,
                "programme_id": cls.programme.id,
                "intake_id": cls.intake.id,
            }
        )
        cls.doc_type = env.ref("edu_crm.edu_document_type_enrolment_certificate")
        cls.document = env["edu.document"]._edu_issue(
            "enrolment_certificate", cls.student, source=cls.enrollment
        )
        cls.document_other = env["edu.document"]._edu_issue(
            "enrolment_certificate", cls.other, source=cls.enrollment_other
        )

    @classmethod
    def _cmr_setup_lists_and_requests(cls):
        env = cls.env
        cls.mailing_list = env["mailing.list"].create(
            {"name": "Open Days", "is_public": True}
        )
        cls.mailing_list_2 = env["mailing.list"].create(
            {"name": "Alumni News", "is_public": True}
        )
        cls.request = env["cmr.request"].create(
            {
                "partner_id": cls.student.id,
                "request_type": "other",
                "description": "When is the exam?",
            }
        )
        cls.request_other = env["cmr.request"].create(
            {
                "partner_id": cls.other.id,
                "request_type": "other",
                "description": "Other question",
            }
        )
