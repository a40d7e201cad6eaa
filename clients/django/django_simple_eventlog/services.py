from eventlog.services import *  # noqa: F401,F403
from eventlog.services import EventLogService  # noqa: F401
