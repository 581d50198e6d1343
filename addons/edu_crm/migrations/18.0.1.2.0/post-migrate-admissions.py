from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

# the admissions stages of the module's data file (noupdate): the
# probabilities that a fresh install gives them
STAGE_PROBABILITIES = {
    "crm_stage_inquiry": 10.0,
    "crm_stage_application": 25.0,
    "crm_stage_documents": 40.0,
    "crm_stage_interview": 55.0,
    "crm_stage_offer": 75.0,
    "crm_stage_enrolled": 100.0,
}


def migrate(cr, version):
    """Admissions stages carry the institution's probabilities, Won is an
    accepted offer and Enrolled the enrolment stage (issue 12):

    - the module's stages get the probabilities of a fresh install unless
      somebody set one already (the stages an institution added keep 0 %
      until it sets theirs);
    - Enrolled becomes the enrolment stage, after the new Accepted stage; the
      won applications that sat in Enrolled without an enrolment were
      accepted offers: they, and their stage history, move to Accepted;
    - open applications of admissions teams take their stage's probability
      (unless one was typed) and applications of a programme with a tuition
      product and no expected revenue get the tuition.
    """
    env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
    for xmlid, probability in STAGE_PROBABILITIES.items():
        stage = env.ref(f"edu_crm.{xmlid}", raise_if_not_found=False)
        if stage and not stage.edu_probability:
            stage.edu_probability = probability
    accepted = env.ref("edu_crm.crm_stage_accepted", raise_if_not_found=False)
    enrolled = env.ref("edu_crm.crm_stage_enrolled", raise_if_not_found=False)
    if accepted and enrolled and enrolled.is_won:
        enrolled.edu_is_enrolment = True
        if enrolled.sequence <= accepted.sequence:
            enrolled.sequence = accepted.sequence + 1
        env.flush_all()
        for table, lead_column in (
            ("crm_lead", "id"),
            ("edu_lead_stage_history", "lead_id"),
        ):
            cr.execute(
                SQL(
                    """UPDATE %(table)s t SET stage_id = %(accepted)s
                        WHERE t.stage_id = %(enrolled)s
                          AND NOT EXISTS (SELECT 1 FROM edu_enrollment e
                                           WHERE e.lead_id = %(lead)s)""",
                    table=SQL.identifier(table),
                    accepted=accepted.id,
                    enrolled=enrolled.id,
                    lead=SQL.identifier("t", lead_column),
                )
            )
        env.invalidate_all()
    Lead = env["crm.lead"].with_context(active_test=False)
    admissions = Lead.search([("team_id.edu_is_admissions", "=", True)])
    open_leads = admissions.filtered(lambda lead: lead.active)
    env.add_to_compute(Lead._fields["probability"], open_leads)
    env.add_to_compute(Lead._fields["automated_probability"], open_leads)
    no_revenue = admissions.filtered(
        lambda lead: not lead.expected_revenue and lead.edu_programme_id.product_id
    )
    env.add_to_compute(Lead._fields["expected_revenue"], no_revenue)
    env.flush_all()
