"""18.0.1.3.0: quiet days belong to the pressure engine.

Until 18.0.1.2.0 cmr_portal stored a person's quiet days as a text of week
day numbers, ``res_partner.cmr_quiet_weekdays`` (``"5,6"``), and decided
them in an override of the engine. campaign_pressure now has one boolean per
week day (``pressure_quiet_mon`` ... ``pressure_quiet_sun``) and decides them
next to the quiet hours. campaign_pressure is loaded before this script runs
(cmr_portal depends on it), so its columns exist: this copies every person's
days into them and names the consent log's quiet day lines after the new
fields (their codes, week day numbers, stay). Odoo drops the old column when
it removes the field, after this script."""

import logging

from odoo.addons.campaign_pressure.models.res_partner import QUIET_DAY_FIELDS
from odoo.tools import SQL
from odoo.tools.sql import column_exists

_logger = logging.getLogger(__name__)

OLD_COLUMN = "cmr_quiet_weekdays"
OLD_LOG_NAME = "cmr_quiet_weekdays"
NEW_LOG_NAME = "pressure_quiet_days"


def migrate(cr, version):
    if not version or not column_exists(cr, "res_partner", OLD_COLUMN):
        return
    # "0,6": Monday and Sunday; anything else in the text is not a day
    cr.execute(
        SQL(
            """UPDATE res_partner p SET %(sets)s
                 FROM (SELECT id, string_to_array(%(old)s, ',') AS days
                         FROM res_partner
                        WHERE NULLIF(%(old)s, '') IS NOT NULL) old
                WHERE p.id = old.id""",
            sets=SQL(", ").join(
                SQL("%s = %s = ANY(old.days)", SQL.identifier(fname), str(day))
                for day, fname in enumerate(QUIET_DAY_FIELDS)
            ),
            old=SQL.identifier(OLD_COLUMN),
        )
    )
    partners = cr.rowcount
    cr.execute(
        "UPDATE cmr_consent_log SET field_name = %s WHERE field_name = %s",
        (NEW_LOG_NAME, OLD_LOG_NAME),
    )
    _logger.info(
        "cmr_portal: quiet days of %s people moved to campaign_pressure's "
        "week day fields, %s consent log lines renamed",
        partners,
        cr.rowcount,
    )
