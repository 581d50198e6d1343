# records
from . import edu_enrollment_reason_wizard
from . import edu_lead_enrol_wizard
from . import base_partner_merge_automatic_wizard

# documents
# tuition
from . import edu_tuition_cancel_wizard

# the person's file and timeline
from . import edu_call_log
