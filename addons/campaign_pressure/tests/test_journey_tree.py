from babel import Locale
from odoo.addons.campaign_pressure.models.campaign_journey_tree import delay_text
from odoo.tests import tagged, users

from .test_journey_common import JourneyCommon


@tagged("post_install", "-at_install")
class TestJourneyDelayText(JourneyCommon):
    """A step's delay reads "1 week", "2 weeks" (not "1 Weeks"), with the
    plural forms of the reader's language: Ukrainian and Russian have three
    (1, 2-4, 5-20 and again 21...), Bulgarian two."""

    def test_plural_forms_of_each_language(self):
        expected = {
            "en": ("1 week", "2 weeks", "5 weeks", "21 weeks", "1 day", "3 hours"),
            "uk": (
                "1 тиждень",
                "2 тижні",
                "5 тижнів",
                "21 тиждень",
                "1 день",
                "3 години",
            ),
            "ru": ("1 неделя", "2 недели", "5 недель", "21 неделя", "1 день", "3 часа"),
            "bg": (
                "1 седмица",
                "2 седмици",
                "5 седмици",
                "21 седмици",
                "1 ден",
                "3 часа",
            ),
        }
        cases = [(1, "weeks"), (2, "weeks"), (5, "weeks"), (21, "weeks")]
        cases += [(1, "days"), (3, "hours")]
        for lang, texts in expected.items():
            locale = Locale.parse(lang)
            got = tuple(delay_text(number, unit, locale) for number, unit in cases)
            self.assertEqual(got, texts, lang)
        self.assertEqual(delay_text(0, "days", Locale.parse("en")), "")

    @users("user_marketing")
    def test_step_and_tree_read_the_delay_in_the_reader_language(self):
        self.env["res.lang"].sudo()._activate_lang("uk_UA")
        journey, (first, second) = self._journey(
            [
                {"kind": "wait", "interval_number": 1, "interval_type": "weeks"},
                {
                    "kind": "wait",
                    "parent": 0,
                    "interval_number": 5,
                    "interval_type": "days",
                },
            ]
        )
        self.assertEqual((first | second).mapped("delay_label"), ["1 week", "5 days"])
        tree = {node["name"]: node["delay"] for node in journey.step_tree}
        self.assertEqual(tree, {first.name: "1 week", second.name: "5 days"})
        uk = journey.with_context(lang="uk_UA")
        self.assertEqual(uk.step_ids.mapped("delay_label"), ["1 тиждень", "5 днів"])
        tree = {node["name"]: node["delay"] for node in uk.step_tree}
        self.assertEqual(tree, {first.name: "1 тиждень", second.name: "5 днів"})
        first.interval_number = 0
        self.assertEqual(first.delay_label, "")
