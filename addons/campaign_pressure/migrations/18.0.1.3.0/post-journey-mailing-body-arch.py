"""18.0.1.3.0: a journey's email step opens in Odoo's mailing editor.

Step mailings were made with a ``body_html`` and no ``body_arch``: Odoo's
mailing editor reads ``body_arch``, so it showed its template chooser (and
saved an empty body on the first click). They get the step's body in Odoo's
"Plain Text" layout, the same in ``body_arch`` and ``body_html``, as the
step now makes them.
"""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    mailings = (
        env["campaign.journey.step"]
        .with_context(active_test=False)
        .search([("kind", "=", "email"), ("mailing_id", "!=", False)])
        .mailing_id
    )
    mailings._journey_sync_body()
    _logger.info(
        "Journey email step mailings in the Plain Text layout: %s", len(mailings)
    )
