from . import cmr_portal_demo
