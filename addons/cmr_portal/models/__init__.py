from . import cmr_consent_log
from . import cmr_feedback
from . import cmr_request
from . import res_partner
from . import edu_document
from . import edu_document_type
from . import mailing_trace
from . import cmr_form_attempt
