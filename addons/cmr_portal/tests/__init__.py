from . import test_preferences
from . import test_feedback_requests
from . import test_portal_http
from . import test_tuition_portal
from . import test_tours
from . import test_tuition_pay
from . import test_guards
from . import test_portal_attacks
