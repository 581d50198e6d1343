from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestJourneyDomainAccess(HttpCase):
    """A marketing manager without CRM rights opens a journey on admissions
    leads: its domains are valid (Odoo's domain widget counted the leads as
    the user, got an AccessError and said "Invalid domain")."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="journey_mm_no_crm",
            groups="base.group_user,mass_mailing.group_mass_mailing_user,"
            "campaign_pressure.group_pressure_manager",
        )
        cls.salesman = new_test_user(
            cls.env,
            login="journey_mm_crm",
            groups="base.group_user,mass_mailing.group_mass_mailing_user,"
            "sales_team.group_sale_salesman_all_leads",
        )
        team = cls.env["crm.team"].create({"name": "Admissions (test)"})
        cls.journey = cls.env["campaign.journey"].create(
            {
                "name": "Applicant nurture",
                "model_id": cls.env["ir.model"]._get("crm.lead").id,
                "domain": repr([("team_id", "=", team.id)]),
                "goal_domain": repr([("probability", ">=", 50)]),
            }
        )

    def _url(self):
        return (
            f"/odoo/action-campaign_pressure.campaign_journey_action/{self.journey.id}"
        )

    def test_manager_without_crm_rights_sees_valid_domains(self):
        self.assertFalse(
            self.env["crm.lead"].with_user(self.manager).has_access("read")
        )
        self.start_tour(
            self._url(), "campaign_journey_domain_unlisted", login=self.manager.login
        )

    def test_user_with_crm_rights_sees_the_count(self):
        self.start_tour(
            self._url(), "campaign_journey_domain_counted", login=self.salesman.login
        )
