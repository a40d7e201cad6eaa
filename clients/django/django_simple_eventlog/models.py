from eventlog.models import *  # noqa: F401,F403
from eventlog.models import EventLog, EventLogAction  # noqa: F401
