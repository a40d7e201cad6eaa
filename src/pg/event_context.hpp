// The context of events: eventlog.context (a JSON object, checked when it is
// set) stored with every event of the transaction in the context column,
// and eventlog_log's own context merged over it. PostgreSQL-style code.
#pragma once

#include "pg/postgres.hpp"

namespace eventlog::pg {

/// The check hook of eventlog.context: empty (unset) or a JSON object;
/// anything else is refused with SQLSTATE 22023. Never raises an error.
bool check_context_setting(char** new_value, void** extra, GucSource source);

/// The context to record: eventlog.context (NULL when unset) with `own`
/// (NULL: none; a JSON object) merged over it, key by key.
Jsonb* event_context(Jsonb* own);

}  // namespace eventlog::pg
