// Writing events into the extension's eventlog table.
//
// Callers need no privilege on eventlog: the row is inserted with the rights
// of the table's owner (the extension owner), while db_user records the role
// that is really acting. PostgreSQL-style code (no C++ objects).
#pragma once

#include "pg/postgres.hpp"

namespace eventlog::pg {

/// One event; NULL pointers become SQL NULLs. Strings are C strings.
struct Event {
    const char* actor;
    text* message;  // required
    const char* object_type;
    const char* object_id;
    const char* tool;
    const char* action;
    Jsonb* changes;
    const char* db_user;  // required
    text* template_message;
    Jsonb* values_json;
};

/// The schema holding the extension, found from one of its functions' oid.
Oid extension_namespace(Oid member_function);

/// The actor to record when none is given: eventlog.actor when set and
/// non-empty, else the current role's name.
const char* default_actor();

/// The name of the role that is acting now (current_user).
const char* current_role_name();

/// Inserts the event into <namespace>.eventlog and returns its id.
int64 write_event(Oid extension_namespace, const Event* event);

/// Many events of one statement on one tracked table: what they share...
struct EventBatchCommon {
    const char* actor;
    const char* object_type;
    const char* tool;
    const char* action;
    const char* db_user;
    text* template_message;
};

/// ...and what each has: n object ids (text, possibly NULL), messages (text)
/// and changes (jsonb). Inserted with one statement, in array order.
void write_event_batch(Oid extension_namespace, const EventBatchCommon* common, int n, Datum* object_ids,
                       bool* object_id_nulls, Datum* messages, Datum* changes);

}  // namespace eventlog::pg
