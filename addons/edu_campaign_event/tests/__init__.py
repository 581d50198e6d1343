from . import test_open_day_journey
