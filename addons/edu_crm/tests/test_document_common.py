from odoo.tests import new_test_user

from .common import EduCompanyUsersCommon


class EduDocumentCommon(EduCompanyUsersCommon):
    """Two companies, Education users in each, a manager, a portal user and a person.

    Document types, reports and the admission questionnaire are data of the
    module (not demo), so the tests use them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # two new companies: the numbering of the tests starts at 1 whatever else exists
        cls.company_a = cls.env["res.company"].create({"name": "Main Campus (test)"})
        cls.company_b = cls.env["res.company"].create({"name": "Second Campus (test)"})
        cls.user_a = cls._new_user(
            "doc_user_a", "edu_crm.group_edu_user", cls.company_a
        )
        cls.user_b = cls._new_user(
            "doc_user_b", "edu_crm.group_edu_user", cls.company_b
        )
        cls.manager_a = cls._new_user(
            "doc_manager_a", "edu_crm.group_edu_manager", cls.company_a
        )
        cls.internal_user = cls._new_user(
            "doc_internal", "base.group_user", cls.company_a
        )
        cls.portal_user = new_test_user(
            cls.env, login="doc_portal", groups="base.group_portal"
        )
        cls.person = cls.env["res.partner"].create(
            {"name": "Olena Kovalenko", "email": "olena@example.com"}
        )
        cls.person_2 = cls.env["res.partner"].create(
            {"name": "Георги Петров", "email": "georgi@example.com"}
        )
        cls.type_certificate = cls.env.ref(
            "edu_crm.edu_document_type_enrolment_certificate"
        )
        cls.type_application = cls.env.ref("edu_crm.edu_document_type_application")
        cls.type_questionnaire = cls.env.ref(
            "edu_crm.edu_document_type_questionnaire_result"
        )

    def _issue(
        self, user, type_code="enrolment_certificate", partner=None, source=None
    ):
        return (
            self.env["edu.document"]
            .with_user(user)
            ._edu_issue(type_code, (partner or self.person).with_user(user), source)
        )
