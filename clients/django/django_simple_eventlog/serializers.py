from eventlog.serializers import *  # noqa: F401,F403
from eventlog.serializers import EventLogSerializer  # noqa: F401
