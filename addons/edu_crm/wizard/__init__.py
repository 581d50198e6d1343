# records
from . import edu_enrollment_reason_wizard
# documents
# tuition
