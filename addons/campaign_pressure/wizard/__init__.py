from . import mail_compose_message
from . import sms_composer
from . import campaign_pressure_simulation
from . import campaign_pressure_letter
from . import mail_activity_schedule
from . import campaign_pressure_simulation_channel
