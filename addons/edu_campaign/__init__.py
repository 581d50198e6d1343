from . import models
from . import demo
from . import report
