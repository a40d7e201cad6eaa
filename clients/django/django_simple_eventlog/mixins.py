from eventlog.mixins import *  # noqa: F401,F403
from eventlog.mixins import EventLogMixin  # noqa: F401
