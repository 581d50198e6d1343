from . import mailing, portal, tuition
