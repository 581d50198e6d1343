from . import edu_campaign_result
from . import edu_campaign_result_summary
