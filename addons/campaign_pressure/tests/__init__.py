from . import test_rule
from . import test_engine
from . import test_person
from . import test_send
from . import test_arbitration
from . import test_simulation
from . import test_activity
from . import test_concurrency
