from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    """The Ukrainian .po files load into Odoo and translate labels and selections."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("uk_UA")
        cls.env["ir.module.module"]._load_module_terms(["edu_crm"], ["uk_UA"])

    def _fields_get(self, model, field_names):
        return (
            self.env[model]
            .with_context(lang="uk_UA")
            .fields_get(field_names, ["string", "selection"])
        )

    def test_edu_crm_label_and_selection(self):
        fields = self._fields_get("edu.enrollment", ["date_applied", "state"])
        self.assertEqual(fields["date_applied"]["string"], "Дата подання заяви")
        states = dict(fields["state"]["selection"])
        self.assertEqual(states["enrolled"], "Зараховано")
        self.assertEqual(states["on_leave"], "В академвідпустці")
        english = self.env["edu.enrollment"].with_context(lang="en_US")
        self.assertEqual(
            english.fields_get(["date_applied"], ["string"])["date_applied"]["string"],
            "Applied On",
        )

    def test_code_term_translated(self):
        """A message raised from Python (self.env._) comes out in Ukrainian."""
        enrollment = self.env["edu.enrollment"].with_context(lang="uk_UA")
        self.assertEqual(
            enrollment.env._("Please give a reason."), "Будь ласка, вкажіть причину."
        )
