// Names WAL capture shares between its parts: the trigger eventlog_track
// attaches to a WAL-tracked table (it marks the table as tracked, carries
// its options and sends each statement's context), and the replication
// slot and origin of a database's capture.
// PostgreSQL-style code (no C++ objects).
#pragma once

#include "pg/postgres.hpp"

namespace eventlog::pg {

/// The statement-level trigger of a WAL-tracked table, and its function.
constexpr const char* kWalTriggerName = "eventlog_capture_wal";
constexpr const char* kWalTriggerFunction = "eventlog_capture_context";

/// The name of the database's capture slot and origin: eventlog_<oid>.
void capture_slot_name(Oid database, char* out /* NAMEDATALEN */);

/// Whether the database's capture slot exists.
bool capture_slot_exists(Oid database);

/// Lets this session use eventlog as an output plugin for its own slot: on
/// servers that only load the plugins output_plugin_libraries lists (a
/// superuser setting, 'pgoutput, test_decoding' by default), eventlog is
/// added to the list for this transaction (`local`) or this process.
void allow_eventlog_plugin(bool local);

}  // namespace eventlog::pg
