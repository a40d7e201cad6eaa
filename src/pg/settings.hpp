// The module's settings (GUCs), defined in module.cpp.
#pragma once

namespace eventlog::pg {

/// eventlog.actor: the application user events are recorded for.
extern char* actor_setting;

/// eventlog.partition_interval: the layout CREATE EXTENSION gives the log
/// (read by the install script).
extern char* partition_interval_setting;

}  // namespace eventlog::pg
