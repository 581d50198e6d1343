"""18.0.1.3.0: a journey step's mailing knows its step.

``mailing.mailing.journey_step_id`` (set by the step that creates the
mailing) is what every send entry point reads to refuse a step's mailing
outside the journey runner. Mailings made before get it from their step; a
step's mailing someone queued by hand goes back to draft (Odoo's queue would
send it to its domain).
"""

import logging

from odoo.tools import SQL

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        SQL(
            """
            UPDATE mailing_mailing m
               SET journey_step_id = s.id
              FROM campaign_journey_step s
             WHERE s.mailing_id = m.id AND m.journey_step_id IS NULL
            """
        )
    )
    _logger.info("Journey step mailings linked to their step: %s", cr.rowcount)
    cr.execute(
        SQL(
            """
            UPDATE mailing_mailing
               SET state = 'draft'
             WHERE journey_step_id IS NOT NULL
               AND state IN ('in_queue', 'sending')
            """
        )
    )
    _logger.info("Journey step mailings taken out of the queue: %s", cr.rowcount)
