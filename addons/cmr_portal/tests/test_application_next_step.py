import re
from datetime import timedelta
from unittest.mock import patch

from odoo.tests import tagged

from .apply_common import ApplyOnlineCommon


@tagged("post_install", "-at_install")
class TestApplicationNextStep(ApplyOnlineCommon):
    """The next step an applicant reads, and the catalogue's intake read."""

    def _next_step(self, lead, login="apl_applicant"):
        self.authenticate(login, login)
        page = self._get(f"/my/applications/{lead.id}").text
        return page, re.search(r'id="cmr_next_step".*?</dd>', page, re.S).group(0)

    def test_only_activities_shown_to_applicants(self):
        lead = self._online_lead()
        staff = self.user_staff
        for days, (xmlid, summary) in enumerate(
            (
                ("mail.mail_activity_data_call", "Check the sponsor pays"),
                ("mail.mail_activity_data_todo", "Weak grades, ask the dean"),
            ),
            start=1,
        ):
            lead.activity_schedule(
                xmlid,
                date_deadline=self.today + timedelta(days=days),
                summary=summary,
                note=f"{summary} (internal)",
                user_id=staff.id,
            )
        page, next_step = self._next_step(lead)
        self.assertIn("We review your application.", next_step)
        for internal in ("Call", "To-Do", "sponsor pays", "Weak grades", "dean"):
            self.assertNotIn(internal, page)
        interview = lead.activity_schedule(
            "cmr_portal.mail_activity_type_admission_interview",
            date_deadline=self.today + timedelta(days=9),
            summary="Panel: Dr Strict (internal)",
            user_id=staff.id,
        )
        page, next_step = self._next_step(lead)
        self.assertIn("Admission interview", next_step)
        self.assertNotIn("Dr Strict", page)
        self.assertNotIn("Call", next_step)
        # a flagged type of the office's choosing counts too
        interview.activity_type_id.cmr_applicant_visible = False
        self.env.ref("mail.mail_activity_data_call").cmr_applicant_visible = True
        page, next_step = self._next_step(lead)
        self.assertIn("Call", next_step)
        self.assertNotIn("Admission interview", next_step)

    def test_next_step_follows_the_offer(self):
        """With no activity to show, the next step says what the applicant
        has to do: answer the offer, sign the contract; nothing once closed."""
        lead = self._online_lead()
        lead.with_user(self.user_staff).action_edu_issue_offer()
        self.assertIn("Accept or decline the offer below.", self._next_step(lead)[1])
        lead.with_user(self.user_applicant).action_edu_accept_offer()
        self.assertIn("Review and sign your tuition contract", self._next_step(lead)[1])
        other = self._online_lead(self.user_other)
        other.with_user(self.user_staff).action_edu_issue_offer()
        reason = self.env.ref("edu_crm.crm_lost_reason_other_institution")
        other.with_user(self.user_other).action_edu_decline_offer(reason.id)
        _page, next_step = self._next_step(other, login="apl_other")
        self.assertIn("This application is closed.", next_step)
        self.assertNotIn("We review your application.", next_step)

    def test_catalogue_intake_is_one_search(self):
        """The intake page searches the asked intake by id within the open
        for application domain, not every open intake."""
        Intake = type(self.env["edu.intake"])
        searched = []
        original = Intake._search

        def spy(model, domain, *args, **kwargs):
            searched.append(list(domain))
            return original(model, domain, *args, **kwargs)

        with patch.object(Intake, "_search", spy):
            page = self._get(f"/programmes/intake/{self.intake.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Autumn Apply", page.text)
        open_searches = [d for d in searched if ("state", "=", "open") in d]
        self.assertTrue(open_searches, searched)
        self.assertTrue(
            all(("id", "=", self.intake.id) in d for d in open_searches), searched
        )
        for closed in (self.past_intake, self.draft_intake):
            with self.subTest(intake=closed.name):
                self.assertEqual(
                    self._get(f"/programmes/intake/{closed.id}").status_code, 404
                )
