from . import (
    apply,
    applications,
    communications,
    education,
    mailing,
    portal,
    preferences,
    requests,
    sponsors,
    tuition,
)
