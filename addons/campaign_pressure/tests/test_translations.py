from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestPressureTranslations(TransactionCase):
    """The Ukrainian .po file loads into Odoo and translates the rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("uk_UA")
        cls.env["ir.module.module"]._load_module_terms(["campaign_pressure"], ["uk_UA"])

    def test_campaign_pressure_label_and_selection(self):
        fields = (
            self.env["campaign.pressure.rule"]
            .with_context(lang="uk_UA")
            .fields_get(
                ["max_contacts", "window_type", "phone_action"], ["string", "selection"]
            )
        )
        self.assertEqual(fields["max_contacts"]["string"], "Максимум контактів")
        self.assertEqual(
            dict(fields["window_type"]["selection"])["rolling"], "Ковзне вікно"
        )
        self.assertEqual(
            dict(fields["phone_action"]["selection"])["block"], "Блокувати"
        )
