from . import chatbot_script_step
from . import crm_lead
from . import discuss_channel
from . import edu_timeline
