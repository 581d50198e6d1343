from . import test_tuition
from . import test_reminder
from . import test_partner
from . import test_programme_intake
from . import test_enrollment
from . import test_admission
from . import test_security
