from odoo.tests import TransactionCase, tagged

from .. import uninstall_hook
from .report_uninstall import assert_uninstall_drops


@tagged("post_install", "-at_install")
class TestReportUninstall(TransactionCase):
    def test_uninstall_drops_the_forecast(self):
        assert_uninstall_drops(
            self,
            "edu.cashin.forecast",
            uninstall_hook,
            [
                "edu_cashin_forecast",
                "edu_cashin_forecast_data",
                "edu_cashin_forecast_stamp",
                "edu_cashin_pipeline_part",
            ],
        )
