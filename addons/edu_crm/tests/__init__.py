from . import test_tuition
