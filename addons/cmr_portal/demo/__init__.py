from . import cmr_portal_demo
from . import cmr_portal_apply_demo
from . import edu_account_notice_demo
