# The admin of the log (eventlog.admin), found by the admin's autodiscovery
# under this app's name.
from eventlog.admin import *  # noqa: F401,F403
from eventlog.admin import EventLogAdmin, EventLogHistoryMixin, add_history  # noqa: F401
