# records (people, programmes, intakes, enrolments, admissions)
from . import ir_sequence_batch
from . import res_partner
from . import edu_programme
from . import edu_intake
from . import edu_enrollment
# documents
# tuition
