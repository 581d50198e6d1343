from . import models
from . import wizard
from . import demo


def uninstall_hook(env):
    """The report's materialized views, which Odoo's uninstall leaves."""
    env["edu.cashin.forecast"]._edu_drop_report()
