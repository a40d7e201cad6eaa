from eventlog.views import *  # noqa: F401,F403
from eventlog.views import EventLogFilter, EventLogViewSet  # noqa: F401
