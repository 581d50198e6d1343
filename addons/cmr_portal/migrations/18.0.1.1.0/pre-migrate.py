"""18.0.1.1.0: the portal record rules below changed (traces keyed on the
recipient record instead of a typed email or number, no draft tuition, only
the calls and letters of the contact log). They live in a ``noupdate`` file,
which an update never rewrites: drop them here so that the update recreates
them from ``security/cmr_portal_security.xml``, the one place they are
written."""

from odoo.tools import SQL

CHANGED_RULES = (
    "mailing_trace_rule_portal",
    "campaign_pressure_contact_rule_portal",
    "edu_tuition_contract_rule_portal",
    "edu_tuition_instalment_rule_portal",
)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        SQL(
            """
            DELETE FROM ir_rule
             WHERE id IN (SELECT res_id FROM ir_model_data
                           WHERE module = 'cmr_portal' AND model = 'ir.rule'
                             AND name IN %s)
            """,
            CHANGED_RULES,
        )
    )
    cr.execute(
        SQL(
            """
            DELETE FROM ir_model_data
             WHERE module = 'cmr_portal' AND model = 'ir.rule' AND name IN %s
            """,
            CHANGED_RULES,
        )
    )
