"""A request's page says what was asked (moved from ``test_portal_truth.py``)."""

from dateutil.relativedelta import relativedelta
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools.misc import format_date

from .test_portal_truth import load_migration, shown
from .test_tuition_portal import TuitionPortalCommon


@tagged("post_install", "-at_install")
class TestRequestPageTruth(TuitionPortalCommon):
    """Finding 10: a request's page says what was asked (contract,
    instalment, dates, count), also once an approval replaced the
    instalment."""

    def _request(self, **values):
        return (
            self.env["cmr.request"]
            .sudo()
            .create(
                dict(
                    {
                        "partner_id": self.student.id,
                        "contract_id": self.contract.id,
                        "description": "Scholarship paid late",
                    },
                    **values,
                )
            )
        )

    def _page(self, request):
        self.authenticate("tu_student", "tu_student")
        response = self._get(request.access_url)
        self.assertEqual(response.status_code, 200)
        return response.text

    def test_deferral_page(self):
        due = self.second.due_date
        new_date = due + relativedelta(days=20)
        request = self._request(
            request_type="deferral",
            instalment_id=self.second.id,
            requested_date=new_date,
        )
        instalment = f"No. {self.second.sequence}, due {format_date(self.env, due)}"
        for when in ("asked", "approved"):
            with self.subTest(when=when):
                page = self._page(request)
                self.assertIn(self.contract.name, shown(page, "cmr_request_contract"))
                self.assertEqual(shown(page, "cmr_request_instalment"), instalment)
                self.assertEqual(
                    shown(page, "cmr_request_date"), format_date(self.env, new_date)
                )
                self.assertIn("New Due Date", page)
                self.assertIsNone(shown(page, "cmr_request_count"))
            if request.state != "done":
                request.with_user(self.bursar).action_approve()
        # the approval replaced the instalment the person named
        self.env.invalidate_all()
        self.assertFalse(request.instalment_id.exists())

    def test_reschedule_page(self):
        first = self.today + relativedelta(months=2)
        request = self._request(
            request_type="reschedule", requested_date=first, requested_count=4
        )
        page = self._page(request)
        self.assertIn(self.contract.name, shown(page, "cmr_request_contract"))
        self.assertEqual(shown(page, "cmr_request_count"), "4")
        self.assertEqual(shown(page, "cmr_request_date"), format_date(self.env, first))
        self.assertIn("First New Due Date", page)
        self.assertIsNone(shown(page, "cmr_request_instalment"))

    def test_instalment_is_kept_by_the_system(self):
        request = self._request(
            request_type="deferral",
            instalment_id=self.second.id,
            requested_date=self.second.due_date + relativedelta(days=5),
        )
        self.assertEqual(
            (request.instalment_sequence, request.instalment_due_date),
            (self.second.sequence, self.second.due_date),
        )
        # what the person asked is not rewritten, not even by the bursar
        with self.assertRaises(AccessError):
            request.with_user(self.bursar).write({"instalment_due_date": self.today})
        with self.assertRaises(AccessError):
            self.env["cmr.request"].with_user(self.bursar).create(
                {
                    "partner_id": self.student.id,
                    "request_type": "other",
                    "description": "?",
                    "instalment_sequence": 7,
                }
            )

    def test_migration_fills_the_instalment(self):
        request = self._request(
            request_type="deferral",
            instalment_id=self.second.id,
            requested_date=self.second.due_date + relativedelta(days=5),
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE cmr_request SET instalment_sequence = NULL, "
            "instalment_due_date = NULL WHERE id = %s",
            [request.id],
        )
        load_migration("post-migrate-request-instalment").migrate(
            self.env.cr, "18.0.1.1.0"
        )
        request.invalidate_recordset()
        self.assertEqual(
            (request.instalment_sequence, request.instalment_due_date),
            (self.second.sequence, self.second.due_date),
        )
