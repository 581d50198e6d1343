from . import models
from . import demo
from . import report


def uninstall_hook(env):
    """The report's materialized views, which Odoo's uninstall leaves."""
    env["edu.campaign.result"]._edu_drop_report()
