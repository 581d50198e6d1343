from odoo.tests import tagged

from .apply_common import ApplyOnlineCommon

# lang: (the catalogue's title, its button, the intake's back link, the
# programme's name) as the addons' .po files and the programme say them
LANGS = {
    "uk_UA": (
        "Програми, відкриті для вступу",
        "Деталі та заявка",
        "Усі програми",
        "Прикладна астрономія",
    ),
    "ru_RU": (
        "Программы, открытые для поступления",
        "Подробности и заявка",
        "Все программы",
        "Прикладная астрономия",
    ),
    "bg_BG": (
        "Програми, отворени за кандидатстване",
        "Подробности и кандидатстване",
        "Всички програми",
        "Приложна астрономия",
    ),
}

# the intake "Autumn Apply" in each language (intake names are translated)
INTAKE_NAMES = {
    "uk_UA": "Осінній набір",
    "ru_RU": "Осенний набор",
    "bg_BG": "Есенен прием",
}


@tagged("post_install", "-at_install")
class TestCatalogueLang(ApplyOnlineCommon):
    """The public catalogue in the institution's languages (issue 16, item
    7): ``/<lang>/programmes`` and the intake page read in that language,
    the programme's name included, for a visitor who is not logged in."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in LANGS:
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"]._load_module_terms(
            ["edu_crm", "cmr_portal"], list(LANGS)
        )
        cls.programme.update_field_translations(
            "name", {code: names[3] for code, names in LANGS.items()}
        )
        cls.intake.update_field_translations("name", INTAKE_NAMES)

    def test_catalogue_pages_in_each_language(self):
        for code, (title, button, back, programme) in LANGS.items():
            with self.subTest(lang=code):
                page = self.url_open(f"/{code}/programmes")
                self.assertEqual(page.status_code, 200)
                for text in (title, button, programme, INTAKE_NAMES[code]):
                    self.assertIn(text, page.text)
                self.assertNotIn("Programmes open for application", page.text)
                self.assertNotIn("Applied Astronomy", page.text)
                self.assertNotIn("Autumn Apply", page.text)
                page = self.url_open(f"/{code}/programmes/intake/{self.intake.id}")
                self.assertEqual(page.status_code, 200)
                for text in (back, programme, INTAKE_NAMES[code]):
                    self.assertIn(text, page.text)
                self.assertNotIn("Autumn Apply", page.text)
        # a new visitor without a language prefix reads English
        self.opener.cookies.clear()
        page = self.url_open("/programmes")
        self.assertIn("Programmes open for application", page.text)
        self.assertIn("Applied Astronomy", page.text)
        self.assertIn("Autumn Apply", page.text)
