from . import test_instalment_journey
from . import test_demo_journeys
