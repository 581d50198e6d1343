from . import cmr_portal_demo
from . import cmr_portal_apply_demo
