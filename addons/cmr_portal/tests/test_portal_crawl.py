"""Crawl the portal as the student, the sponsor and an applicant would.

From ``/my`` the crawler follows every link of the portal that the page
offers (``/my/...``, the invoices and documents they lead to), the way a
person clicks through it: every page must answer 200 without an error
alert, and every download must give a file.
"""

import logging
import re
from urllib.parse import urljoin, urlsplit

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from .test_tuition_portal import TuitionPortalCommon

_logger = logging.getLogger(__name__)
LABEL_FOR_RE = re.compile(r'<label[^>]*\bfor="([^"]+)"')
HREF_RE = re.compile(r'href="([^"#]+)"')
# links that leave the person's space or end the session
SKIP_RE = re.compile(r"^/(web/session/logout|web\b|odoo\b|my/security|my/account)")
# links that give a file
DOWNLOAD_RE = re.compile(r"download=|/report/|^/my/education/documents/\d+")
MAX_PAGES = 150


@tagged("post_install", "-at_install")
class TestPortalCrawl(TuitionPortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.student.write({"edu_is_student": True, "cmr_sponsor_consent": True})
        intake = env["edu.intake"].create(
            {
                "programme_id": cls.programme.id,
                "name": "Crawl intake",
                "date_start": fields.Date.today(),
                "date_end": fields.Date.add(fields.Date.today(), years=1),
            }
        )
        enrollment = env["edu.enrollment"].create(
            {
                "partner_id": cls.student.id,
                "programme_id": cls.programme.id,
                "intake_id": intake.id,
            }
        )
        enrollment.action_admit()
        enrollment.action_enrol()
        env["edu.document"]._edu_issue(
            "enrolment_certificate", cls.student, source=enrollment
        )
        env["cmr.request"].create(
            {
                "partner_id": cls.student.id,
                "request_type": "other",
                "description": "When is the exam?",
            }
        )
        cls.user_applicant = new_test_user(
            env,
            login="crawl_applicant",
            groups="base.group_portal",
            name="Anna Applicant",
            email="anna.applicant@example.com",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        env["crm.lead"].create(
            {
                "name": "Anna Applicant - MSc",
                "type": "opportunity",
                "team_id": env.ref("edu_crm.crm_team_admissions").id,
                "partner_id": cls.user_applicant.partner_id.id,
                "edu_programme_id": cls.programme.id,
                "edu_intake_id": intake.id,
            }
        )

    def _crawl(self, login):
        self.authenticate(login, login)
        seen, todo, visited = set(), ["/my"], []
        while todo and len(visited) < MAX_PAGES:
            url = todo.pop(0)
            if url in seen:
                continue
            seen.add(url)
            response = self.url_open(url, allow_redirects=False)
            visited.append(url)
            with self.subTest(login=login, url=url):
                self._check(url, response)
            if "text/html" not in response.headers.get("Content-Type", ""):
                continue
            for href in HREF_RE.findall(response.text):
                link = self._portal_link(url, href)
                if link and link not in seen:
                    todo.append(link)
        _logger.info("portal crawl as %s: %s", login, " ".join(visited))
        return visited

    def _portal_link(self, base, href):
        href = href.replace("&amp;", "&")
        parts = urlsplit(urljoin(base, href))
        if parts.netloc and parts.netloc != urlsplit(self.base_url()).netloc:
            return None
        path = parts.path
        if not path.startswith(("/my", "/invoice", "/report")) or SKIP_RE.match(path):
            return None
        if "sortby=" in parts.query:  # the same rows in another order
            return None
        return path + (f"?{parts.query}" if parts.query else "")

    def _check(self, url, response):
        content_type = response.headers.get("Content-Type", "")
        if response.status_code in (301, 302, 303):
            # a file link that answers with a redirect is a silent failure
            self.assertFalse(
                DOWNLOAD_RE.search(url), f"{url} redirected instead of a file"
            )
            self.assertNotIn("/web/login", response.headers.get("Location", ""), url)
            return
        self.assertEqual(response.status_code, 200, url)
        if DOWNLOAD_RE.search(url):
            self.assertTrue(response.content, f"{url} gave an empty file")
            # (in tests Odoo renders reports as HTML: the file is what counts)
            self.assertIn(
                "attachment",
                response.headers.get("Content-Disposition", ""),
                f"{url} gave a page, no file",
            )
            return
        self.assertIn("text/html", content_type, url)
        self.assertNotIn("Traceback", response.text, url)
        self.assertNotRegex(response.text, r'class="[^"]*\balert-danger\b', url)
        # every label names a field that is on the page (QWeb drops an empty
        # self-closing textarea: a form would show a label without its field)
        for target in set(LABEL_FOR_RE.findall(response.text)):
            self.assertIn(f'id="{target}"', response.text, f"{url}: no field {target}")

    def test_crawl_as_student(self):
        visited = self._crawl("tu_student")
        self.assertTrue(any(u.startswith("/my/tuition") for u in visited))
        self.assertTrue(any(u.startswith("/my/education") for u in visited))
        self.assertTrue(any(u.startswith("/my/requests/") for u in visited))

    def test_crawl_as_sponsor(self):
        visited = self._crawl("tu_sponsor")
        self.assertTrue(any(u.startswith("/my/sponsored/") for u in visited))

    def test_crawl_as_applicant(self):
        visited = self._crawl("crawl_applicant")
        self.assertIn("/my/preferences", visited)
