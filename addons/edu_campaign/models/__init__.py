from . import edu_tuition_instalment
from . import crm_lead_response
from . import crm_lead_answer_response
