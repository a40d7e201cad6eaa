// The module's settings (GUCs), defined in module.cpp.
#pragma once

namespace eventlog::pg {

/// eventlog.actor: the application user events are recorded for.
extern char* actor_setting;

/// eventlog.actor_id: the stable key of that user ('' when unset).
extern char* actor_id_setting;

/// eventlog.context: a JSON object stored with every event ('' when unset).
extern char* context_setting;

}  // namespace eventlog::pg
