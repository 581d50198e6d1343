from . import mailing, portal
