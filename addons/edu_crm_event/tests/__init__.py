from . import test_event_lead
