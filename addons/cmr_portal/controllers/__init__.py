from . import (
    apply,
    applications,
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
