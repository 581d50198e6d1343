from . import (
    communications,
    education,
    mailing,
    portal,
    preferences,
    requests,
    sponsors,
    tuition,
)
