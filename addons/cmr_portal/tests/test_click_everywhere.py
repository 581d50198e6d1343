"""Odoo's own click-everywhere bot over our apps, as each kind of staff user.

The web client's clickbot (``@web/webclient/clickbot``, the same one as
``web/tests/test_click_everywhere.py``) opens every menu of an app, switches
every view and applies every filter; any error dialog or traceback fails the
test. It runs on the data the test builds (no demo data): the point is that
every screen opens for the people who use it.
"""

from odoo import Command
from odoo.tests import new_test_user, tagged

from .test_tuition_portal import TuitionPortalCommon

CLICK = (
    "odoo.loader.modules.get('@web/webclient/clickbot/clickbot_loader')"
    ".startClickEverywhere('%s');"
)


@tagged("post_install", "-at_install")
class TestClickEverywhere(TuitionPortalCommon):
    allow_end_on_form = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        common = {
            "company_id": cls.company.id,
            "company_ids": [Command.set(cls.company.ids)],
            "tz": "UTC",
        }
        # Accounting's test taxes include cash-basis ones: the company uses
        # cash basis, or its settings page refuses to save as it is
        cls.company.tax_exigibility = True
        cls.env.ref("base.user_admin").write(
            {
                "company_ids": [Command.link(cls.company.id)],
                "company_id": cls.company.id,
            }
        )
        cls.click_marketing = new_test_user(
            cls.env,
            login="click_marketing",
            groups="base.group_user,mass_mailing.group_mass_mailing_user",
            **common,
        )
        cls.click_pressure = new_test_user(
            cls.env,
            login="click_pressure",
            groups="base.group_user,campaign_pressure.group_pressure_manager",
            **common,
        )
        users = cls.env["res.users"].search(
            [("login", "in", ("admin", "tu_bursar", "tu_clerk"))]
        )
        users |= cls.click_marketing | cls.click_pressure
        if "tour_enabled" in users._fields:
            users.tour_enabled = False

    def _click(self, menu_xmlid, login):
        self.browser_js(
            "/odoo",
            CLICK % menu_xmlid,
            "odoo.isReady === true",
            login=login,
            timeout=600,
            success_signal="clickbot test succeeded",
        )

    def test_education_as_administrator(self):
        self._click("edu_crm.menu_root", "admin")

    def test_education_as_manager(self):
        self._click("edu_crm.menu_root", "tu_bursar")

    def test_education_as_user(self):
        self._click("edu_crm.menu_root", "tu_clerk")

    def test_email_marketing_as_marketing_user(self):
        self._click("mass_mailing.mass_mailing_menu_root", "click_marketing")

    def test_email_marketing_as_pressure_manager(self):
        self._click("mass_mailing.mass_mailing_menu_root", "click_pressure")
