// The log is append-only: the trigger function eventlog_refuse_rewrite
// refuses UPDATE, DELETE and TRUNCATE on eventlog for everyone, its owner
// included. The one exception is eventlog_purge, which opens a window for
// its own DELETE statements: the window is a flag of this backend that no
// SQL can set, and any (sub)transaction abort closes it.
// PostgreSQL-style code (no C++ objects).
#pragma once

namespace eventlog::pg {

/// Opens and closes the purge's window (DELETE only; UPDATE and TRUNCATE
/// stay refused).
void open_purge_window();
void close_purge_window();

/// Registers the transaction callbacks that close the window on abort.
void register_append_only_callbacks();

}  // namespace eventlog::pg
