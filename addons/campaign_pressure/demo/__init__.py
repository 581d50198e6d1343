from . import campaign_pressure_demo
