import re

from odoo.http import Request
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import CmrPortalDataMixin

NON_EXISTENT = 999999999


class PortalHttpCommon(HttpCase, CmrPortalDataMixin):
    """The portal's data and the helpers of its HTTP tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._cmr_setup_data()

    # helpers ---------------------------------------------------------
    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def _post(self, url, data, csrf=True):
        data = dict(data)
        if not getattr(self, "session", None):
            self.authenticate(None, None)  # public session, as a visitor from an email
        if csrf:
            data["csrf_token"] = Request.csrf_token(self)
        return self.url_open(url, data=data, allow_redirects=False)

    def assertRedirectsTo(self, response, path):  # noqa: N802
        self.assertIn(response.status_code, (302, 303), response.text[:500])
        self.assertIn(path, response.headers["Location"])

    def _preference_form(self, **values):
        data = {
            "channel_email": "on",
            "channel_sms": "on",
            "channel_phone": "on",
            "channel_letter": "on",
            "max_contacts": "2",
            "period": "month",
            "quiet_from": "21:00",
            "quiet_to": "08:00",
            "quiet_day_6": "on",
            "preferred_channel": "email",
            "lang": "en_US",
            f"topic_{self.mailing_list.id}": "on",
        }
        data.update(values)
        return {k: v for k, v in data.items() if v is not None}


@tagged("post_install", "-at_install")
class TestPortalHttp(PortalHttpCommon):
    # preferences -----------------------------------------------------
    def test_preferences_page_and_save(self):
        self.authenticate("cmr_student", "cmr_student")
        response = self._get("/my/preferences")
        self.assertEqual(response.status_code, 200)
        self.assertIn('id="cmr_preferences_form"', response.text)
        self.assertIn("Open Days", response.text)
        response = self._post(
            "/my/preferences",
            self._preference_form(channel_sms=None, sponsor_consent="on"),
        )
        self.assertRedirectsTo(response, "/my/preferences?saved=1")
        student = self.student.sudo()
        self.assertEqual(student.pressure_max_contacts, 2)
        self.assertEqual(student.pressure_period, "month")
        self.assertEqual(student.pressure_blocked_channel_ids, self.channel_sms)
        self.assertEqual(
            (student.pressure_quiet_from, student.pressure_quiet_to), (21.0, 8.0)
        )
        self.assertEqual(student._pressure_quiet_weekdays(), {6})
        self.assertEqual(student.cmr_preferred_channel, "email")
        self.assertTrue(student.cmr_sponsor_consent)
        self.assertEqual(student._cmr_topic_state()[1], self.mailing_list)
        logs = student.cmr_consent_log_ids
        self.assertTrue(logs)
        self.assertEqual(set(logs.mapped("source")), {"portal"})
        self.assertEqual(set(logs.mapped("user_id")), {self.user_student})
        self.assertTrue(all(logs.mapped("ip_address")))
        self.assertTrue(all(logs.mapped("user_agent")))
        # the person sees the history on the page
        response = self._get("/my/preferences?saved=1")
        self.assertIn("History of your choices", response.text)
        self.assertIn("<td>Quiet days</td>", response.text)
        self.assertIn('id="cmr_saved"', response.text)

    def test_preferences_public_redirected_to_login(self):
        response = self._get("/my/preferences")
        self.assertRedirectsTo(response, "/web/login")

    @mute_logger("odoo.http")
    def test_preferences_without_csrf_rejected(self):
        self.authenticate("cmr_student", "cmr_student")
        response = self._post(
            "/my/preferences", self._preference_form(max_contacts="5"), csrf=False
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.student.sudo().pressure_max_contacts, 0)

    def test_preferences_crafted_input(self):
        self.authenticate("cmr_student", "cmr_student")
        crafted = [
            {"max_contacts": "abc"},
            {"max_contacts": "-1"},
            {"max_contacts": "1000"},
            {"max_contacts": "9" * 40},
            {"max_contacts": "<script>alert(1)</script>"},
            {"period": "year"},
            {"quiet_from": "25:00"},
            {"quiet_to": "<b>8</b>"},
            {"preferred_channel": "pigeon"},
            {"lang": "xx_XX"},
            {"lang": "x" * 5000},
        ]
        for values in crafted:
            with self.subTest(values=values):
                response = self._post(
                    "/my/preferences", self._preference_form(**values)
                )
                self.assertEqual(response.status_code, 400)
                self.assertIn('id="cmr_errors"', response.text)
                self.assertNotIn("<script>alert(1)</script>", response.text)
                student = self.student.sudo()
                # nothing written at all: not even the valid fields of the form
                self.assertEqual(student.pressure_max_contacts, 0)
                self.assertFalse(student.pressure_blocked_channel_ids)
                self.assertFalse(student._pressure_quiet_weekdays())
                self.assertFalse(student.cmr_consent_log_ids)
                self.assertFalse(student._cmr_topic_state()[1])

    def test_preferences_invalid_form_keeps_what_was_typed(self):
        """Nothing the person entered is lost: an invalid submission shows
        the form again with the typed values, not the saved ones."""
        self.authenticate("cmr_student", "cmr_student")
        response = self._post(
            "/my/preferences",
            self._preference_form(
                max_contacts="abc",
                period="week",
                quiet_from="22:30",
                quiet_day_6=None,
                quiet_day_2="on",
                channel_sms=None,
                preferred_channel="sms",
            ),
        )
        self.assertEqual(response.status_code, 400)
        page = response.text
        self.assertRegex(page, r'name="max_contacts"[^>]*value="abc"')
        self.assertRegex(page, r'value="week"\s+selected')
        self.assertRegex(page, r'name="quiet_from"[^>]*value="22:30"')
        self.assertRegex(page, r'id="cmr_quiet_day_2"[^>]*checked')
        self.assertNotRegex(page, r'id="cmr_quiet_day_6"[^>]*checked')
        self.assertNotRegex(page, r'name="channel_sms"[^>]*checked')
        self.assertRegex(page, r'name="channel_email"[^>]*checked')
        # and nothing was saved
        self.assertEqual(self.student.sudo().pressure_period, "month")
        self.assertFalse(self.student.sudo()._pressure_quiet_weekdays())

    def _page_queries(self, url):
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        response = self._get(url)
        self.assertEqual(response.status_code, 200)
        return self.env.cr.sql_log_count - start, response

    def test_requests_and_education_query_count_constant(self):
        """The list pages run the same number of queries for 1 and 50 rows."""
        self.authenticate("cmr_student", "cmr_student")
        Request = self.env["cmr.request"]
        Document = self.env["edu.document"].sudo()
        self._get("/my/requests")
        self._get("/my/education")
        counts = {"requests": [], "education": []}
        for total in (1, 50):
            Request.search([("partner_id", "=", self.student.id)]).unlink()
            Request.create(
                [
                    {
                        "partner_id": self.student.id,
                        "request_type": "other",
                        "description": f"Q{i}",
                    }
                    for i in range(total)
                ]
            )
            Document.create(
                [
                    {
                        "type_id": self.doc_type.id,
                        "partner_id": self.student.id,
                        "name": f"PERF/{i}",
                        "state": "issued",
                        "date_issued": "2026-01-01 10:00:00",
                        "body": "<p>x</p>",
                    }
                    for i in range(
                        total
                        - Document.search_count([("partner_id", "=", self.student.id)])
                    )
                ]
            )
            count, response = self._page_queries("/my/requests")
            counts["requests"].append(count)
            self.assertEqual(len(re.findall(r"/my/requests/\d+", response.text)), total)
            count, response = self._page_queries("/my/education")
            counts["education"].append(count)
            self.assertEqual(
                len(re.findall(r"/my/education/documents/\d+", response.text)), total
            )
        self.assertEqual(counts["requests"][0], counts["requests"][1], counts)
        self.assertEqual(counts["education"][0], counts["education"][1], counts)

    # feedback --------------------------------------------------------
    def test_feedback_post(self):
        self.authenticate("cmr_student", "cmr_student")
        response = self._post(
            "/my/feedback", {"rating": "1", "comment": "<script>x</script> too much"}
        )
        self.assertRedirectsTo(response, "/my/feedback?sent=1")
        feedback = self.env["cmr.feedback"].search(
            [("partner_id", "=", self.student.id)]
        )
        self.assertEqual(feedback.rating, "1")
        self.assertEqual(self.student.sudo().pressure_cooldown_reason, "feedback")

    def test_feedback_crafted(self):
        self.authenticate("cmr_student", "cmr_student")
        for data in (
            {"rating": "9"},
            {"rating": "-1"},
            {"rating": "<b>"},
            {},
            {"rating": "3", "comment": "x" * 5000},
        ):
            with self.subTest(data=data):
                response = self._post("/my/feedback", data)
                self.assertEqual(response.status_code, 400)
        self.assertFalse(
            self.env["cmr.feedback"].search([("partner_id", "=", self.student.id)])
        )

    # education -------------------------------------------------------
    def test_education_page(self):
        self.authenticate("cmr_student", "cmr_student")
        response = self._get("/my/education")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Portal Studies", response.text)
        self.assertIn(self.document.name, response.text)
        self.assertNotIn(self.document_other.name, response.text)

    def test_document_download_matrix(self):
        url = f"/my/education/documents/{self.document.id}"
        token = self.document.sudo()._portal_ensure_token()
        # public: no token, wrong token -> redirected; right token -> file
        self.assertRedirectsTo(self._get(url), "/my")
        self.assertRedirectsTo(self._get(f"{url}?access_token=wrong"), "/my")
        response = self._get(f"{url}?access_token={token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response.headers.get("Content-Disposition", ""))
        # owner
        self.authenticate("cmr_student", "cmr_student")
        response = self._get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, self.document.attachment_id.raw)
        self.assertRedirectsTo(
            self._get(f"/my/education/documents/{NON_EXISTENT}"), "/my"
        )
        # another portal user
        self.authenticate("cmr_other", "cmr_other")
        self.assertRedirectsTo(self._get(url), "/my")
        self.assertRedirectsTo(self._get(f"{url}?access_token=wrong"), "/my")

    def test_document_request(self):
        self.authenticate("cmr_student", "cmr_student")
        response = self._post(
            "/my/education/request",
            {"document_type_id": str(self.doc_type.id), "description": "For my bank"},
        )
        request = self.env["cmr.request"].search(
            [("partner_id", "=", self.student.id), ("request_type", "=", "document")]
        )
        self.assertEqual(len(request), 1)
        self.assertRedirectsTo(response, f"/my/requests/{request.id}")
        self.assertEqual(request.document_type_id, self.doc_type)
        not_requestable = self.env.ref("edu_crm.edu_document_type_tuition_contract")
        for value in (
            "abc",
            "-1",
            str(NON_EXISTENT),
            "9" * 30,
            str(not_requestable.id),
            "",
        ):
            with self.subTest(value=value):
                response = self._post(
                    "/my/education/request", {"document_type_id": value}
                )
                self.assertEqual(response.status_code, 400)
        response = self._post(
            "/my/education/request",
            {"document_type_id": str(self.doc_type.id), "description": "x" * 5000},
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            self.env["cmr.request"].search_count(
                [
                    ("partner_id", "=", self.student.id),
                    ("request_type", "=", "document"),
                ]
            ),
            1,
        )

    # requests --------------------------------------------------------
    def test_request_page_matrix(self):
        url = f"/my/requests/{self.request.id}"
        token = self.request.sudo()._portal_ensure_token()
        self.assertRedirectsTo(self._get(url), "/my")
        self.assertRedirectsTo(self._get(f"{url}?access_token=wrong"), "/my")
        response = self._get(f"{url}?access_token={token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.request.name, response.text)
        self.authenticate("cmr_student", "cmr_student")
        response = self._get(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("When is the exam?", response.text)
        self.assertIn("o_portal_chatter", response.text)
        self.assertRedirectsTo(self._get(f"/my/requests/{NON_EXISTENT}"), "/my")
        response = self._get("/my/requests")
        self.assertIn(self.request.name, response.text)
        self.assertNotIn(self.request_other.name, response.text)
        self.authenticate("cmr_other", "cmr_other")
        self.assertRedirectsTo(self._get(url), "/my")
        self.assertRedirectsTo(self._get(f"{url}?access_token=wrong"), "/my")

    def test_request_new(self):
        self.authenticate("cmr_student", "cmr_student")
        response = self._post(
            "/my/requests/new", {"description": "Can I change group?"}
        )
        request = self.env["cmr.request"].search(
            [("description", "=", "Can I change group?")]
        )
        self.assertEqual(request.partner_id, self.student)
        self.assertRedirectsTo(response, f"/my/requests/{request.id}")
        for description in ("", "   ", "x" * 5000):
            with self.subTest(length=len(description)):
                response = self._post("/my/requests/new", {"description": description})
                self.assertEqual(response.status_code, 400)
        self.assertEqual(
            self.env["cmr.request"].search_count(
                [("partner_id", "=", self.student.id)]
            ),
            2,
        )

    # home and sponsors -----------------------------------------------
    def test_home_counters(self):
        self.authenticate("cmr_student", "cmr_student")
        response = self.make_jsonrpc_request(
            "/my/counters",
            {
                "counters": [
                    "cmr_request_count",
                    "cmr_enrollment_count",
                    "cmr_document_count",
                    "cmr_sponsored_count",
                ]
            },
        )
        self.assertEqual(response["cmr_request_count"], 1)
        self.assertEqual(response["cmr_enrollment_count"], 1)
        self.assertEqual(response["cmr_document_count"], 1)
        self.assertEqual(response["cmr_sponsored_count"], 0)
        self.assertEqual(self._get("/my").status_code, 200)

    def test_sponsor_needs_consent(self):
        self.authenticate("cmr_sponsor", "cmr_sponsor")
        response = self._get("/my/sponsored")
        self.assertNotIn("Stella Student", response.text)
        self.assertRedirectsTo(self._get(f"/my/sponsored/{self.student.id}"), "/my")
        self.student.sudo().cmr_sponsor_consent = True
        response = self._get("/my/sponsored")
        self.assertIn("Stella Student", response.text)
        response = self._get(f"/my/sponsored/{self.student.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Portal Studies", response.text)
        # nothing about students of others, or ids that do not exist
        self.assertRedirectsTo(self._get(f"/my/sponsored/{self.other.id}"), "/my")
        self.assertRedirectsTo(self._get(f"/my/sponsored/{NON_EXISTENT}"), "/my")
        # a student is no sponsor
        self.authenticate("cmr_other", "cmr_other")
        self.assertRedirectsTo(self._get(f"/my/sponsored/{self.student.id}"), "/my")
