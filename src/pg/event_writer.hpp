// Writing events into the extension's eventlog table.
//
// Callers need no privilege on eventlog: events are written by the
// extension itself, while db_user records the role that is really acting.
// PostgreSQL-style code (no C++ objects).
#pragma once

#include "pg/postgres.hpp"

namespace eventlog::pg {

/// What the events of one write share (NULL pointers are SQL NULLs)...
struct EventCommon {
    const char* actor;
    const char* actor_id;  // the actor's stable key; NULL: none
    const char* object_type;
    Oid object_table;  // the table the events are about (event_visibility.hpp); InvalidOid: none
    const char* tool;
    const char* action;
    const char* db_user;  // required
    text* template_message;
    Jsonb* values_json;
    Jsonb* context;  // event_context.hpp; NULL: none
    /// When the events happened: 0 records each event's clock time as it is
    /// written; WAL capture gives the time of the change.
    TimestampTz timestamp;
    /// The transaction that made the change: invalid means the current one;
    /// WAL capture gives the transaction it decoded.
    FullTransactionId transaction_id;
};

/// ...and what each of them has: n object ids (text, NULL where
/// object_id_nulls says so), messages (text, required) and changes (jsonb,
/// NULL where changes_nulls says so).
struct EventRows {
    int n;
    Datum* object_ids;
    bool* object_id_nulls;
    Datum* messages;
    Datum* changes;
    bool* changes_nulls;
};

/// The log table <namespace>.eventlog (error 42P01 when it is missing).
Oid eventlog_table(Oid extension_namespace);

/// The schema holding the extension, found from one of its functions' oid.
Oid extension_namespace(Oid member_function);

/// The actor to record when none is given: eventlog.actor when set and
/// non-empty, else the current role's name.
const char* default_actor();

/// The actor's key to record when none is given: eventlog.actor_id when set
/// and non-empty, else NULL.
const char* default_actor_id();

/// The name of the role that is acting now (current_user).
const char* current_role_name();

/// Inserts the events into <namespace>.eventlog, in order, and returns the
/// id of the first one.
int64 write_events(Oid extension_namespace, const EventCommon* common, const EventRows* rows);

}  // namespace eventlog::pg
