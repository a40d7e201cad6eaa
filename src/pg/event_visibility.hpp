// Who may read which events. An event is about a table when it was written
// by tracking, by eventlog_log_row, or by eventlog_log with an object_type
// naming a table; the writer records that table's oid in the event's
// object_table column, once, when the event is written (a later rename or a
// new table taking the name changes nothing). The log's row security policy
// shows such an event only to roles that may SELECT the table (see
// eventlog_readable below); superusers, BYPASSRLS roles and the log's owner
// see every event. PostgreSQL-style code (no C++ objects).
#pragma once

#include "pg/postgres.hpp"

namespace eventlog::pg {

/// The table an object_type names, as the writer records it: a qualified
/// name (schema.table, quoted or not, as PostgreSQL parses identifiers) or
/// a bare name found on the search_path, of a table, partitioned table,
/// view, materialized view or foreign table. InvalidOid when it names none
/// (or is NULL, or is not a name at all). No privilege is needed or checked:
/// writing stays privilege-free.
Oid table_named(const char* object_type);

}  // namespace eventlog::pg
