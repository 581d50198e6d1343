"""18.0.1.3.0: each contact of the log keeps the price it was sent at.

A campaign's "spent" sums ``campaign_pressure_contact.unit_cost`` (in
``cost_currency_id``), stored when a message is logged. Rows logged before
have none: they get the cost valid at the upgrade, as the engine would have
priced them (the mailing's own cost in its campaign's currency, else the
channel's cost of the company that sent, in the company's currency; 0 when
the company set no cost).
"""

import logging

from odoo.addons.campaign_pressure.models.campaign_pressure_channel_cost import (
    unit_cost_sql,
)
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cost, currency = unit_cost_sql(
        SQL("c.mailing_id"),
        SQL("c.channel"),
        SQL("COALESCE(c.company_id, (SELECT min(id) FROM res_company))"),
    )
    cr.execute(
        SQL(
            """
            UPDATE campaign_pressure_contact c
               SET unit_cost = %s, cost_currency_id = %s
             WHERE c.unit_cost IS NULL
            """,
            cost,
            currency,
        )
    )
    _logger.info(
        "priced %s contact log row(s) at the costs of the upgrade", cr.rowcount
    )
