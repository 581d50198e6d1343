from . import edu_tuition_instalment
from . import crm_lead_response
from . import crm_lead_answer_response
from . import edu_rfm_segment
from . import res_partner_rfm
from . import mailing_mailing_rfm
