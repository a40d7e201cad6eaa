// The module's settings (GUCs), defined in module.cpp.
#pragma once

namespace eventlog::pg {

/// eventlog.actor: the application user events are recorded for.
extern char* actor_setting;

}  // namespace eventlog::pg
