from . import (
    apply,
    applications,
    apply_offer,
    communications,
    education,
    enquiry,
    mailing,
    portal,
    preferences,
    requests,
    sponsors,
    tuition,
)
