from . import test_instalment_journey
from . import test_demo_journeys
from . import test_response_sources
from . import test_campaign_result
from . import test_journey_domain_access
from . import test_instalment_payer
from . import test_campaign_result_cost
