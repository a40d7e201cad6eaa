// The log is append-only: the trigger function eventlog_refuse_rewrite
// refuses UPDATE, DELETE and TRUNCATE on eventlog (and the seal and erasure
// tables) for everyone, its owner included. The two exceptions open a
// window for their own statements: eventlog_purge for its DELETEs, the
// erasures (eventlog_erase...) for their UPDATEs, which may change only the
// erasable columns (actor, actor_id, message, changes, values_json, context;
// an event's secret). A window is a flag of this backend that no SQL can
// set, and any (sub)transaction abort closes it.
// PostgreSQL-style code (no C++ objects).
#pragma once

namespace eventlog::pg {

/// Opens and closes the purge's window (DELETE only; UPDATE and TRUNCATE
/// stay refused).
void open_purge_window();
void close_purge_window();

/// Opens and closes the erasures' window (UPDATE of erasable columns only).
void open_erase_window();
void close_erase_window();

/// Registers the transaction callbacks that close the window on abort.
void register_append_only_callbacks();

}  // namespace eventlog::pg
