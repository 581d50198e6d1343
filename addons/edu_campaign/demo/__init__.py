from . import edu_campaign_demo
from . import edu_campaign_results_demo
