from . import edu_campaign_demo
