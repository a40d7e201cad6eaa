from eventlog.choices import *  # noqa: F401,F403
from eventlog.choices import EventLogAction  # noqa: F401
