from odoo import SUPERUSER_ID, api

# the module's lost reasons (noupdate data) that an applicant may give
APPLICANT_REASONS = (
    "crm_lost_reason_other_institution",
    "crm_lost_reason_tuition",
    "crm_lost_reason_deferred",
    "crm_lost_reason_personal",
)


def migrate(cr, version):
    """Applicants choose among the reasons flagged for them (issue 16): the
    module's data file is noupdate, so the reasons it made before the flag
    existed get it here; Odoo's sales reasons and the office's own ("No
    response", "Does not meet the admission requirements") stay unflagged."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid in APPLICANT_REASONS:
        reason = env.ref(f"edu_crm.{xmlid}", raise_if_not_found=False)
        if reason:
            reason.edu_applicant_reason = True
