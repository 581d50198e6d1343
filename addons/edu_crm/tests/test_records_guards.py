"""Attacks on enrolments, intakes, documents and people, as an RPC client
would make them: any logged-in user may call any public method with any
arguments and any context, and write any field their access rights allow.
Each test runs as the least-privileged user that tries it."""

import base64
import hashlib
import json

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import EduRecordsCommon


@tagged("post_install", "-at_install")
class TestRecordsGuards(EduRecordsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.employee = cls._new_user("grd_employee", "base.group_user", cls.company_a)
        cls.merger = cls._new_user(
            "grd_merger",
            "edu_crm.group_edu_manager,base.group_partner_manager",
            cls.company_a,
        )
        cls.admin = cls._new_user(
            "grd_admin",
            "edu_crm.group_edu_manager,base.group_partner_manager,"
            "base.group_erp_manager",
            cls.company_a,
        )
        cls.student = cls.env["res.partner"].create(
            {"name": "Oksana Student", "email": "oksana@example.com"}
        )
        cls.enrollment = cls.env["edu.enrollment"].create(
            {
                "partner_id": cls.student.id,
                "programme_id": cls.programme.id,
                "intake_id": cls.intake.id,
                "state": "enrolled",
                "reason": "Scholarship committee note",
            }
        )

    def _issue(self, user, partner=None):
        return (
            self.env["edu.document"]
            .with_user(user)
            ._edu_issue("enrolment_certificate", partner or self.student, None)
        )

    def _personal_default(self, user, model, fname, value):
        """A default the user keeps for themselves (ir.default is writable by
        every employee for their own user)."""
        field = self.env["ir.model.fields"]._get(model, fname)
        self.env["ir.default"].with_user(user).create(
            {"field_id": field.id, "json_value": json.dumps(value), "user_id": user.id}
        )

    # ------------------------------------------------------------------
    # Finding 3: enrolments change state through their buttons only
    # ------------------------------------------------------------------
    def test_enrollment_workflow_fields_not_writable(self):
        applied = self._new_enrollment()
        lead = self._new_lead("Someone else's application")
        attacks = (
            {"state": "admitted"},  # an allowed transition, without the button
            {"date_enrolled": "2020-01-01"},
            {"reason": "Forged"},
            {"lead_id": lead.id},
        )
        for user in (self.edu_user, self.edu_manager):
            for vals in attacks:
                with self.subTest(user=user.login, vals=vals):
                    with self.assertRaisesRegex(UserError, "buttons of the enrolment"):
                        applied.with_user(user).write(vals)
        applied.invalidate_recordset()
        self.assertRecordValues(
            applied,
            [{"state": "applied", "date_enrolled": False, "reason": False}],
        )
        self.assertFalse(applied.lead_id)

    def test_enrollment_cannot_be_created_past_applied(self):
        Enrollment = self.env["edu.enrollment"].with_user(self.edu_user)
        partner = self.env["res.partner"].create({"name": "Taras"})
        vals = {
            "partner_id": partner.id,
            "programme_id": self.programme.id,
            "intake_id": self.intake.id,
        }
        count = Enrollment.search_count([])
        with self.assertRaisesRegex(UserError, "starts as applied"):
            Enrollment.create(dict(vals, state="enrolled"))
        with self.assertRaisesRegex(UserError, "starts as applied"):
            Enrollment.with_context(default_state="enrolled").create(vals)
        self._personal_default(self.edu_user, "edu.enrollment", "state", "admitted")
        with self.assertRaisesRegex(UserError, "starts as applied"):
            Enrollment.create(vals)
        self.assertEqual(Enrollment.search_count([]), count)

    def test_enrolled_student_programme_and_intake_are_fixed(self):
        other = self.env["res.partner"].create({"name": "Somebody else"})
        intake_2 = self.intake.copy({"name": "Spring 2027"})
        for vals in ({"partner_id": other.id}, {"intake_id": intake_2.id}):
            with self.assertRaisesRegex(UserError, "fixed once enrolled"):
                self.enrollment.with_user(self.edu_user).write(vals)
        self.assertEqual(self.enrollment.partner_id, self.student)
        self.assertEqual(self.enrollment.intake_id, self.intake)
        # the sponsor of an enrolled student is still the registrar's to change
        self.enrollment.with_user(self.edu_user).write({"sponsor_id": self.sponsor.id})
        self.assertEqual(self.enrollment.sponsor_id, self.sponsor)

    def test_enrollment_buttons_check_the_caller_and_track_them(self):
        applied = self._new_enrollment()
        for user in (self.portal_user, self.employee, self.salesman):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    applied.with_user(user).action_admit()
        self.assertEqual(applied.state, "applied")
        # the button works for the registrar, who authors the tracking
        self.env.flush_all()
        self.env.cr.precommit.run()
        applied.with_user(self.edu_user).with_context(
            tracking_disable=True, mail_notrack=True
        ).action_admit()
        self.assertEqual(applied.state, "admitted")
        self.env.flush_all()
        self.env.cr.precommit.run()
        applied.invalidate_recordset(["message_ids"])
        tracking = applied.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "state"
        )[:1]
        self.assertEqual(tracking.new_value_char, "Admitted", "no context hides it")
        self.assertEqual(tracking.mail_message_id.author_id, self.edu_user.partner_id)

    def test_enrolment_of_won_application_ignores_personal_defaults(self):
        lead = self._new_lead("Won applicant", stage=self.stage_accepted)
        self._personal_default(
            self.edu_user, "edu.enrollment", "date_end", "2020-01-01"
        )
        self._personal_default(self.edu_user, "edu.enrollment", "reason", "Forged")
        enrollment = lead.with_user(self.edu_user)._edu_enrol()
        self.assertRecordValues(
            enrollment,
            [
                {
                    "state": "enrolled",
                    "lead_id": lead.id,
                    "date_end": False,
                    "reason": False,
                }
            ],
        )

    # ------------------------------------------------------------------
    # Finding 3: intakes, the manager's buttons only
    # ------------------------------------------------------------------
    def test_intake_state_through_buttons_only(self):
        Intake = self.env["edu.intake"].with_user(self.edu_manager)
        with self.assertRaisesRegex(UserError, "Open, Close and Reset"):
            self.intake.with_user(self.edu_manager).write({"state": "closed"})
        vals = {
            "programme_id": self.programme.id,
            "name": "Forged",
            "date_start": fields.Date.to_date("2027-02-01"),
            "date_end": fields.Date.to_date("2030-01-31"),
        }
        with self.assertRaisesRegex(UserError, "starts as a draft"):
            Intake.create(dict(vals, state="open"))
        with self.assertRaisesRegex(UserError, "starts as a draft"):
            Intake.with_context(default_state="closed").create(vals)
        self.assertFalse(self.env["edu.intake"].search([("name", "=", "Forged")]))
        for user in (self.edu_user, self.employee, self.portal_user):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.intake.with_user(user).action_close()
        self.assertEqual(self.intake.state, "open")
        intake = self.intake.with_user(self.edu_manager)
        with self.assertRaisesRegex(UserError, "cannot go from Open to Open"):
            intake.action_open()
        intake.action_close()
        with self.assertRaisesRegex(UserError, "cannot go from Closed to Open"):
            intake.action_open()
        intake.action_draft()
        intake.action_open()
        self.assertEqual(intake.state, "open")

    # ------------------------------------------------------------------
    # Finding 3 and 5: documents, whatever the context or the defaults
    # ------------------------------------------------------------------
    def test_document_workflow_fields_not_forged_at_creation(self):
        Document = self.env["edu.document"].with_user(self.edu_user)
        issued = self._issue(self.edu_user)
        vals = {"type_id": issued.type_id.id, "partner_id": self.student.id}
        count = Document.search_count([])
        with self.assertRaisesRegex(UserError, "created as a draft"):
            Document.create(dict(vals, origin_id=issued.id))
        with self.assertRaisesRegex(UserError, "created as a draft"):
            Document.create(dict(vals, checksum="0" * 64))
        self._personal_default(self.edu_user, "edu.document", "state", "issued")
        with self.assertRaisesRegex(UserError, "created as a draft"):
            Document.create(vals)
        self.assertEqual(Document.search_count([]), count)
        with self.assertRaisesRegex(UserError, "Issue and Cancel buttons"):
            issued.with_user(self.edu_manager).write({"checksum": "0" * 64})

    def test_client_flag_does_not_skip_the_file(self):
        draft = (
            self.env["edu.document"]
            .with_user(self.edu_user)
            .create(
                {
                    "type_id": self.env.ref(
                        "edu_crm.edu_document_type_enrolment_certificate"
                    ).id,
                    "partner_id": self.student.id,
                }
            )
        )
        draft.with_context(edu_document_skip_pdf=True).action_issue()
        self.assertEqual(draft.state, "issued")
        self.assertTrue(draft.attachment_id, "an issued document always has its file")
        self.assertTrue(draft.checksum)

    def test_contract_document_carries_the_contract_number(self):
        """Issue 12: the PDF of contract TC/2026/00010 read "No. TC/2026/00009"
        (the document type's own sequence): one number, one document."""
        contract = self.env["edu.tuition.contract"].create(
            {"student_id": self.student.id, "programme_id": self.programme.id}
        )
        doc_type = self.env.ref("edu_crm.edu_document_type_tuition_contract")
        # the type's own numbering is elsewhere than the contracts'
        doc_type._edu_sequences_for(self.company_a)[
            (doc_type, self.company_a)
        ].number_next = 700
        document = (
            self.env["edu.document"]
            .with_user(self.edu_user)
            ._edu_issue("tuition_contract", self.student, contract)
        )
        self.assertEqual(document.name, contract.name)
        document.with_user(self.edu_manager).action_cancel_and_reissue()
        correction = document.replacement_id.with_user(self.edu_user)
        correction.action_issue()
        self.assertEqual(correction.name, f"{contract.name}-2")
        self.assertEqual(document.name, contract.name, "the cancelled one keeps it")

    # ------------------------------------------------------------------
    # Finding 7: the file of an issued document is immutable
    # ------------------------------------------------------------------
    def test_issued_file_cannot_be_replaced_or_deleted(self):
        document = self._issue(self.edu_user)
        attachment = document.attachment_id
        raw = attachment.raw
        self.assertEqual(document.checksum, hashlib.sha256(raw).hexdigest())
        forged = base64.b64encode(b"%PDF-1.4 forged")
        for user in (self.edu_user, self.edu_manager):
            with self.subTest(user=user.login):
                for vals in (
                    {"datas": forged},
                    {"res_id": self.enrollment.id, "res_model": "edu.enrollment"},
                    {"name": "other.pdf"},
                ):
                    with self.assertRaisesRegex(UserError, "cannot be changed"):
                        attachment.with_user(user).write(vals)
                with self.assertRaisesRegex(UserError, "cannot be changed"):
                    attachment.with_user(user).unlink()
        for user in (self.portal_user, self.employee):
            with self.subTest(user=user.login):
                with self.assertRaises(UserError):
                    attachment.with_user(user).write({"datas": forged})
        attachment.invalidate_recordset()
        self.assertEqual(attachment.raw, raw)
        self.assertEqual(
            (attachment.res_model, attachment.res_id), ("edu.document", document.id)
        )
        self.assertEqual(document.attachment_id, attachment)

    def test_print_returns_the_issued_file_not_a_lookalike(self):
        document = self._issue(self.edu_user)
        report = document.type_id.report_id
        # anyone who may edit the document may attach a file named like its PDF
        lookalike = (
            self.env["ir.attachment"]
            .with_user(self.edu_user)
            .create(
                {
                    "name": document.name.replace("/", "_") + ".pdf",
                    "raw": b"%PDF-1.4 forged",
                    "res_model": "edu.document",
                    "res_id": document.id,
                }
            )
        )
        retrieved = report.retrieve_attachment(document.with_user(self.edu_user))
        self.assertNotEqual(retrieved, lookalike)
        self.assertEqual(retrieved, document.attachment_id)

    # ------------------------------------------------------------------
    # Finding 8: what the portal reads
    # ------------------------------------------------------------------
    def _grant_portal_read(self, model, domain):
        """What cmr_portal gives a portal user: read access to their own records."""
        model_id = self.env["ir.model"]._get_id(model)
        self.env["ir.model.access"].create(
            {
                "name": f"{model} portal (test)",
                "model_id": model_id,
                "group_id": self.env.ref("base.group_portal").id,
                "perm_read": True,
            }
        )
        self.env["ir.rule"].create(
            {
                "name": f"{model} portal (test)",
                "model_id": model_id,
                "groups": [Command.link(self.env.ref("base.group_portal").id)],
                "domain_force": domain,
            }
        )

    def test_portal_reads_no_internal_enrolment_or_document_fields(self):
        portal = new_test_user(self.env, login="grd_portal", groups="base.group_portal")
        self.enrollment.partner_id = portal.partner_id
        document = self._issue(self.edu_user, portal.partner_id)
        own = "[('partner_id', '=', user.partner_id.id)]"
        self._grant_portal_read("edu.enrollment", own)
        self._grant_portal_read("edu.document", own)
        enrollment = self.enrollment.with_user(portal)
        self.assertEqual(enrollment.read(["state"])[0]["state"], "enrolled")
        for fname in ("reason", "lead_id"):
            with self.subTest(fname=fname), self.assertRaises(AccessError):
                enrollment.read([fname])
        self.assertEqual(
            document.with_user(portal).read(["name"])[0]["name"], document.name
        )
        with self.assertRaises(AccessError):
            document.with_user(portal).read(["source_ref"])

    def test_portal_reads_no_scoring_nor_duplicates(self):
        portal = new_test_user(
            self.env,
            login="grd_oracle",
            groups="base.group_portal",
            email="oracle@example.com",
        )
        # the email of someone else, set freely by the portal user
        portal.partner_id.email = self.student.email
        partner = portal.partner_id.with_user(portal)
        self.assertEqual(partner.read(["name"])[0]["name"], portal.name)
        for fname in (
            "edu_duplicate_ids",
            "edu_duplicate_count",
            "edu_payment_segment",
            "edu_engagement_segment",
            "edu_ontime_rate",
            "edu_payment_history_count",
            "edu_sponsored_ids",
        ):
            with self.subTest(fname=fname), self.assertRaises(AccessError):
                partner.read([fname])
        # staff still see the duplicate
        self.assertIn(
            self.student, portal.partner_id.with_user(self.employee).edu_duplicate_ids
        )

    def test_system_and_sponsor_fields_of_people(self):
        self.student.edu_is_student = True
        number = self.student.edu_student_number
        for vals in (
            {"edu_student_number": "S0000-FORGED"},
            {"edu_payment_segment": "on_time"},
            {"edu_ontime_rate": 1.0},
            {"edu_phone_normalized": "+380000000000"},
        ):
            with self.subTest(vals=vals):
                with self.assertRaisesRegex(UserError, "set by the system"):
                    self.student.with_user(self.edu_manager).write(vals)
        self.assertEqual(self.student.edu_student_number, number)
        # a CRM salesman may edit contacts, not open a sponsor's portal on them
        organisation = self.env["res.partner"].create(
            {"name": "Salesman's Org", "is_company": True}
        )
        with self.assertRaises(AccessError):
            organisation.with_user(self.salesman).write({"edu_is_sponsor": True})
        with self.assertRaises(AccessError):
            self.student.with_user(self.salesman).write(
                {"edu_sponsor_ids": [Command.link(self.sponsor.id)]}
            )
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.salesman).with_context(
                default_edu_is_sponsor=True
            ).create({"name": "Forged Sponsor", "is_company": True})
        self.assertFalse(organisation.edu_is_sponsor)
        self.assertFalse(self.student.edu_sponsor_ids)
        # unchanged values pass (Odoo's contact merge writes them back)
        self.student.with_user(self.salesman).write(
            {"edu_student_number": number, "edu_is_sponsor": False, "name": "Oksana S."}
        )
        self.student.with_user(self.edu_user).write(
            {"edu_sponsor_ids": [Command.link(self.sponsor.id)]}
        )
        self.assertEqual(self.student.edu_sponsor_ids, self.sponsor)

    def test_shared_person_numbered_from_the_shared_sequence(self):
        """A person of no company gets a student number from one sequence,
        whatever company the registrar works in: numbered from each user's
        company, two shared people got the same number and the second one
        could not become a student."""
        Partner = self.env["res.partner"]
        Partner._edu_student_sequence(self.company_b).number_next = 500
        shared = self.env.ref("edu_crm.sequence_edu_student_number")
        expected = shared.get_next_char(shared.number_next_actual)
        student = (
            Partner.with_user(self.edu_user_b)
            .with_company(self.company_b)
            .create({"name": "Shared Person", "edu_is_student": True})
        )
        self.assertFalse(student.company_id)
        self.assertEqual(student.edu_student_number, expected)

    # ------------------------------------------------------------------
    # Finding 4: merging contacts
    # ------------------------------------------------------------------
    def _merge(self, user, partners, dst):
        wizard = (
            self.env["base.partner.merge.automatic.wizard"]
            .with_user(user)
            .with_context(active_model="res.partner", active_ids=partners.ids)
            .create({"dst_partner_id": dst.id})
        )
        wizard.action_merge()

    def test_merge_of_different_emails_needs_the_administrator(self):
        person = self.env["res.partner"].create(
            {"name": "Iryna", "email": "iryna@example.com", "phone": "+380441112233"}
        )
        other = self.env["res.partner"].create(
            {"name": "Iryna B.", "email": "other@example.com", "phone": "+380441112233"}
        )
        self.assertIn(other, person.with_user(self.merger).edu_duplicate_ids)
        with self.assertRaisesRegex(UserError, "same email"):
            self._merge(self.merger, person | other, person)
        self.assertTrue(other.exists())
        self._merge(self.admin, person | other, person)
        self.assertFalse(other.exists())

    def test_merge_moving_a_login_needs_the_administrator(self):
        portal = new_test_user(
            self.env, login="grd_intruder", groups="base.group_portal"
        )
        intruder = portal.partner_id
        # the portal user gives themselves the student's email and phone
        intruder.write({"email": self.student.email, "phone": "+380449998877"})
        self.student.phone = "+380449998877"
        self.assertIn(intruder, self.student.with_user(self.merger).edu_duplicate_ids)
        # the login would move to the student's file, or get the student's records
        for dst in (self.student, intruder):
            with self.subTest(dst=dst.name):
                with self.assertRaisesRegex(AccessError, "Only the administrator"):
                    self._merge(self.merger, self.student | intruder, dst)
        self.assertTrue(intruder.exists())
        self.assertEqual(portal.partner_id, intruder)
        self.assertEqual(self.enrollment.partner_id, self.student)
        # the administrator, who checked who is who, may
        self._merge(self.admin, self.student | intruder, self.student)
        portal.invalidate_recordset(["partner_id"])
        self.assertEqual(portal.partner_id, self.student)

    # ------------------------------------------------------------------
    # Finding 6: buttons say who they are for
    # ------------------------------------------------------------------
    def test_window_buttons_refused_outside_education(self):
        lead = self._new_lead("Applicant")
        document = self._issue(self.edu_user)
        calls = [
            (self.student, "action_edu_open_enrollments"),
            (self.sponsor, "action_edu_open_sponsored"),
            (self.student, "action_edu_merge_duplicates"),
            (lead, "action_edu_open_enrollments"),
            (lead, "action_edu_link_existing_partner"),
            (self.programme, "action_open_intakes"),
            (self.enrollment, "action_view_documents"),
            (document.type_id, "action_view_documents"),
            (document, "action_print"),
        ]
        for user in (self.employee, self.salesman, self.portal_user):
            for record, method in calls:
                with self.subTest(user=user.login, method=f"{record._name}.{method}"):
                    with self.assertRaises(AccessError):
                        getattr(record.with_user(user), method)()
        action = self.student.with_user(self.edu_user).action_edu_open_enrollments()
        self.assertEqual(action["res_model"], "edu.enrollment")
