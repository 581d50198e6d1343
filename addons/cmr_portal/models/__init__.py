from . import cmr_consent_log
from . import cmr_feedback
from . import cmr_request
from . import cmr_request_tuition
from . import res_partner
from . import edu_document
from . import edu_document_type
from . import mailing_trace
from . import cmr_form_attempt

# before the timeline: its view reads the notices' table
from . import edu_account_notice
from . import edu_account_notice_send
from . import edu_account_notice_delivery
from . import edu_timeline
from . import res_partner_file
from . import mail_activity_type
from . import crm_lead_applicant
from . import cmr_feedback_response
from . import mailing_mailing_channel
from . import res_company_notice
from . import campaign_pressure_contact_notice
from . import edu_timeline_notice
