"""The attack surface of our addons (glue modules included), reviewed.

Over JSON-RPC any logged-in user (portal included) can call any public method
of any model with any arguments and write any field that the access rights
allow. This test lists that surface from the registry and compares it with
the two reviewed tables (``PUBLIC_METHODS`` below, ``WRITABLE_FIELDS`` in
``surface_fields.py``): a new public method, or a field that a
portal, Education or marketing user can newly write, fails the test until
somebody decides who may use it and writes it down here. Each entry is then
exercised as every user who must be refused.

Users of the tables (all in one company):

- ``portal``: a student with a portal account
- ``employee``: an internal user without any of our groups
- ``marketing``: Email Marketing user
- ``pressure``: Marketing Pressure Manager
- ``edu_user``: Education User (registrar, admissions)
- ``edu_manager``: Education Manager (bursar)
"""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .surface import public_methods, writable_fields
from .surface_common import SurfaceCommon
from .surface_fields import (
    APPLICANT,
    APPLICANT_ONLY,
    EDU,
    MANAGER,
    MARKETING,
    READERS,
    USERS,
    WRITABLE_FIELDS,
)

# (model, method): who may call it. Fixtures build a record in a state where
# the allowed user succeeds; every other user must get an AccessError.
PUBLIC_METHODS = {
    # campaign_pressure
    ("campaign.journey", "action_launch"): MARKETING,
    ("campaign.journey", "action_open_test"): MARKETING,
    ("campaign.journey", "action_stop"): MARKETING,
    ("campaign.journey", "action_view_participants"): READERS,
    ("campaign.journey", "action_view_work_items"): READERS,
    ("campaign.journey.participant", "action_open_record"): READERS,
    ("campaign.journey.step", "action_view_work_items"): READERS,
    ("res.partner", "action_view_journey_participants"): READERS,
    ("campaign.journey.test", "action_run"): MARKETING,
    ("campaign.pressure.letter", "action_log"): MARKETING,
    ("campaign.pressure.simulation", "action_send"): MARKETING,
    ("mailing.mailing", "action_check_pressure"): MARKETING,
    ("mailing.mailing", "action_confirm_send"): MARKETING,
    ("mailing.mailing", "action_view_pressure_held"): MARKETING,
    ("res.partner", "action_view_pressure_contacts"): MARKETING,
    # edu_campaign: the results report's menu (refreshes a stale summary)
    ("edu.campaign.result", "action_open_results"): MARKETING,
    # cmr_portal
    ("cmr.feedback", "action_done"): EDU,
    ("cmr.request", "action_approve"): MANAGER,
    ("cmr.request", "action_done"): EDU,
    ("cmr.request", "action_issue_document"): EDU,
    ("cmr.request", "action_refuse"): EDU,
    ("cmr.request", "action_start"): EDU,
    # edu_crm: admissions and people
    ("crm.lead", "action_edu_enrol"): EDU,
    ("crm.lead", "action_edu_link_existing_partner"): EDU,
    ("crm.lead", "action_edu_open_enrollments"): READERS,
    ("crm.lead", "action_edu_send_questionnaire"): EDU,
    ("crm.lead", "action_edu_withdraw"): APPLICANT,
    ("crm.lead", "action_edu_issue_offer"): EDU,
    ("crm.lead", "action_edu_accept_offer"): APPLICANT_ONLY,
    ("crm.lead", "action_edu_decline_offer"): APPLICANT_ONLY,
    ("crm.lead", "action_edu_view_questionnaires"): READERS,
    ("edu.lead.enrol.wizard", "action_enrol"): EDU,
    ("res.partner", "action_edu_merge_duplicates"): EDU,
    ("res.partner", "action_edu_open_enrollments"): EDU,
    ("res.partner", "action_edu_open_sponsored"): EDU,
    ("survey.user_input", "action_edu_issue_questionnaire_result"): EDU,
    ("survey.user_input", "action_edu_view_documents"): READERS,
    # edu_crm: programmes, intakes, enrolments
    ("edu.programme", "action_open_intakes"): EDU,
    ("edu.intake", "action_close"): MANAGER,
    ("edu.intake", "action_draft"): MANAGER,
    ("edu.intake", "action_open"): MANAGER,
    ("edu.enrollment", "action_admit"): EDU,
    ("edu.enrollment", "action_enrol"): EDU,
    ("edu.enrollment", "action_expel"): EDU,
    ("edu.enrollment", "action_graduate"): EDU,
    ("edu.enrollment", "action_issue_enrolment_certificate"): EDU,
    ("edu.enrollment", "action_leave"): EDU,
    ("edu.enrollment", "action_return_from_leave"): EDU,
    ("edu.enrollment", "action_view_documents"): READERS,
    ("edu.enrollment", "action_view_tuition_contracts"): READERS,
    ("edu.enrollment", "action_withdraw"): EDU,
    ("edu.enrollment.reason.wizard", "action_confirm"): EDU,
    # edu_crm: documents
    ("edu.document", "action_cancel"): MANAGER,
    ("edu.document", "action_cancel_and_reissue"): MANAGER,
    ("edu.document", "action_issue"): EDU,
    ("edu.document", "action_print"): EDU,
    ("edu.document.type", "action_view_documents"): READERS,
    # edu_crm: tuition
    ("edu.cashin.forecast", "action_open_forecast"): MANAGER,
    ("edu.tuition.cancel.wizard", "action_confirm"): MANAGER,
    ("edu.tuition.contract", "action_activate"): MANAGER,
    ("edu.tuition.contract", "action_close"): MANAGER,
    ("edu.tuition.contract", "action_draft"): MANAGER,
    ("edu.tuition.contract", "action_generate_schedule"): EDU,
    ("edu.tuition.contract", "action_open_cancel_wizard"): MANAGER,
    ("edu.tuition.contract", "action_view_invoices"): READERS,
    ("edu.tuition.instalment", "action_invoice_now"): MANAGER,
    # edu_crm: the person's file and timeline
    ("edu.timeline", "action_open_record"): READERS,
    ("res.partner", "action_edu_open_timeline"): EDU,
    ("edu.call.log", "action_log"): EDU,
}


@tagged("post_install", "-at_install")
class TestSurface(SurfaceCommon):
    # ------------------------------------------------------------------
    # The surface is the reviewed one
    # ------------------------------------------------------------------
    def test_public_methods_reviewed(self):
        found = public_methods(self.env)
        reviewed = set(PUBLIC_METHODS)
        self.assertFalse(
            sorted(found - reviewed),
            "public methods nobody reviewed: add them to PUBLIC_METHODS with "
            "who may call them (or make them private)",
        )
        self.assertFalse(
            sorted(reviewed - found), "reviewed methods that no longer exist"
        )

    def test_writable_fields_reviewed(self):
        found = {}
        for key in USERS:
            for model, field in writable_fields(self.env, self.users[key]):
                found.setdefault((model, field), set()).add(key)
        reviewed = {
            (model, field): set(who)
            for model, specs in WRITABLE_FIELDS.items()
            for who, _guard, names in specs
            for field in names.split()
        }
        differ = sorted(
            f"{model}.{field}: {sorted(who)} (reviewed: "
            f"{sorted(reviewed.get((model, field), ()))})"
            for (model, field), who in found.items()
            if reviewed.get((model, field)) != who
        )
        self.assertFalse(
            differ,
            "fields writable by other users than reviewed: fix WRITABLE_FIELDS "
            "or the field's groups/access rights",
        )
        stale = sorted(f"{m}.{f}" for m, f in set(reviewed) - set(found))
        self.assertFalse(stale, "reviewed fields nobody can write any more")

    # ------------------------------------------------------------------
    # Every entry, tried by the users who must be refused
    # ------------------------------------------------------------------
    def test_public_methods_refused(self):
        for (model, method), allowed in sorted(PUBLIC_METHODS.items()):
            make = getattr(self, f"_call_{model.replace('.', '_')}_{method}", None)
            for key in USERS:
                user = self.users[key]
                if allowed == READERS:
                    record = self._record(model)
                    may = record.with_user(user).has_access("read")
                else:
                    may = key in allowed
                with self.subTest(model=model, method=method, user=key):
                    if may:
                        self._succeeds(make, model, method, user)
                    else:
                        self._refused(make, model, method, user)

    def test_writable_fields_refused(self):
        for model, specs in sorted(WRITABLE_FIELDS.items()):
            record = self._record(model)
            for who, guard, names in specs:
                if isinstance(guard, frozenset):
                    refused = set(USERS) - guard
                else:
                    refused = USERS if guard else set(USERS) - set(who)
                for field_name in names.split():
                    value = self._other_value(record, field_name, guard)
                    for key in sorted(refused):
                        with self.subTest(model=model, field=field_name, user=key):
                            # AccessError is a UserError
                            with self.assertRaises(UserError):
                                record.with_user(self.users[key]).write(
                                    {field_name: value}
                                )
                            self.env.invalidate_all()
