# The same migration as eventlog's (it creates the extension), under this app's
# label. Not named 0001_initial: a database that ran the original app's
# django_simple_eventlog/0001_initial still runs this one.
import importlib

Migration = importlib.import_module("eventlog.migrations.0001_eventlog_extension").Migration
