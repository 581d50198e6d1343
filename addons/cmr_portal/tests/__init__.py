from . import test_preferences
