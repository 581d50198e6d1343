from . import edu_crm_livechat_demo
