from . import (
    apply,
    applications,
    apply_offer,
    communications,
    education,
    mailing,
    portal,
    preferences,
    requests,
    sponsors,
    tuition,
)
