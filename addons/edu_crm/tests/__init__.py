from . import test_tuition
from . import test_reminder
