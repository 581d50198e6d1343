from . import edu_campaign_result
