from eventlog.urls import *  # noqa: F401,F403
from eventlog.urls import router, urlpatterns  # noqa: F401
