from . import edu_crm_demo
