"""The intake, the people and the helpers of ``test_apply.py``."""

import re
from datetime import timedelta

from odoo import Command, fields
from odoo.http import Request
from odoo.tests import HttpCase, new_test_user

PDF = b"%PDF-1.4\n% test\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
NON_EXISTENT = 999999999


class ApplyOnlineCommon(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["campaign.pressure.rule"].sudo().search([]).active = False
        today = fields.Date.today()
        cls.today = today
        product = env["product.product"].create(
            {"name": "Tuition Apply", "type": "service", "list_price": 3000.0}
        )
        cls.programme = env["edu.programme"].create(
            {
                "code": "APL",
                "name": "Applied Astronomy",
                "product_id": product.id,
                "requirement_ids": [
                    Command.create({"name": "Identity document", "is_required": True}),
                    Command.create(
                        {"name": "Language certificate", "is_required": False}
                    ),
                ],
            }
        )
        cls.req_id, cls.req_lang = cls.programme.requirement_ids
        cls._setup_apply_intakes()
        cls.plan = env["edu.payment.plan"].create(
            {"name": "Three months", "plan_type": "monthly", "instalment_count": 3}
        )
        cls.mailing_list = env["mailing.list"].create(
            {"name": "Open days", "is_public": True}
        )
        cls._setup_apply_users()

    @classmethod
    def _setup_apply_intakes(cls):
        """An open intake, one past its deadline, one full, one in draft."""
        env, today = cls.env, cls.today
        # name: (starts in, ends in, deadline in) days from today
        intakes = {
            "Autumn Apply": (60, 400, 30),
            "Deadline Passed": (20, 300, -1),
            "No Seats": (90, 400, None),
            "Not Open Yet": (200, 500, None),
        }
        cls.intake, cls.past_intake, cls.full_intake, cls.draft_intake = env[
            "edu.intake"
        ].create(
            [
                {
                    "programme_id": cls.programme.id,
                    "name": name,
                    "date_start": today + timedelta(days=start),
                    "date_end": today + timedelta(days=end),
                    "application_deadline": deadline is not None
                    and today + timedelta(days=deadline),
                }
                for name, (start, end, deadline) in intakes.items()
            ]
        )
        cls.full_intake.seats = 0  # a new intake gets the programme's capacity
        (cls.intake | cls.past_intake | cls.full_intake).action_open()

    @classmethod
    def _setup_apply_users(cls):
        users = {
            "applicant": ("base.group_portal", "Ada Applicant"),
            "other": ("base.group_portal", "Olga Other"),
            "employee": ("base.group_user", "Emil Employee"),
            "staff": ("edu_crm.group_edu_user", "Sara Staff"),
        }
        for key, (groups, name) in users.items():
            user = new_test_user(
                cls.env,
                login=f"apl_{key}",
                groups=groups,
                name=name,
                email=f"{name.lower().replace(' ', '.')}@example.com",
            )
            setattr(cls, f"user_{key}", user)

    # helpers ---------------------------------------------------------
    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def _csrf(self, url):
        page = self._get(url)
        self.assertEqual(page.status_code, 200, page.text[:300])
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def _form(self, **values):
        data = {
            "contact_name": "Ada Applicant",
            "email": "ada.applicant@example.com",
            "phone": "+380 44 000 0001",
            "birthdate": "2001-04-05",
            "national_id": "UA-123-456",
            "funding": "self_paid",
            "preferred_channel": "email",
            f"topic_{self.mailing_list.id}": "on",
        }
        data.update(values)
        return {k: v for k, v in data.items() if v is not None}

    def _apply(self, intake, data=None, files=None, csrf=True):
        url = f"/apply/{intake.id}"
        data = dict(data if data is not None else self._form())
        if csrf:
            data["csrf_token"] = Request.csrf_token(self)
        if files is None:
            files = {f"doc_{self.req_id.id}": ("id.pdf", PDF, "application/pdf")}
        return self.url_open(url, data=data, files=files, allow_redirects=False)

    def _leads(self, user=None):
        partner = (user or self.user_applicant).partner_id
        return (
            self.env["crm.lead"]
            .with_context(active_test=False)
            .search([("partner_id", "=", partner.id)])
        )

    def _online_lead(self, user=None, with_document=True):
        user = user or self.user_applicant
        files = [(self.req_id, "id.pdf", PDF)] if with_document else []
        if not with_document:
            self.req_id.is_required = False
        lead = (
            self.env["crm.lead"]
            .sudo()
            ._edu_apply_online(
                user.partner_id.sudo(),
                self.intake,
                {"contact_name": user.name, "email_from": user.email},
                files,
            )
        )
        self.req_id.is_required = True
        return lead
