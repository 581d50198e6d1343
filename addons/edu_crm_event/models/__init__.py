from . import crm_lead
from . import event_event
from . import event_lead_rule
from . import event_registration
from . import edu_timeline
