// The event of one row change of a tracked table: which object it is about
// (object_id), what changed (changes) and its message. One code path for
// both capture modes: the trigger builds it from a statement's transition
// tables, the WAL decoder from the rows logical decoding hands it, with the
// table's columns of that moment.
// PostgreSQL-style code (no C++ objects).
#pragma once

#include "core/tracking_options.hpp"
#include "pg/event_writer.hpp"
#include "pg/postgres.hpp"
#include "pg/table_tracking.hpp"

namespace eventlog::pg {

/// One change's event, palloc'd in the current memory context.
struct TrackedChange {
    char* object_id;  // NULL when the table has no primary key
    text* message;
    Jsonb* changes;
};

/// Builds the event of one row change: `old_row` for update and delete,
/// `new_row` for create and update (slots of the table's descriptor).
/// `snapshot`: the row is an existing one recorded as a snapshot event.
/// Returns false for an update that changed no tracked column (no event).
bool build_tracked_change(const TableTracking* tracking, TrackedAction action, bool snapshot, const EventCommon* common,
                          TupleTableSlot* old_row, TupleTableSlot* new_row, TrackedChange* out);

/// The message of a TRUNCATE's event (object_id and changes NULL).
text* tracked_truncate_message(const TableTracking* tracking, const EventCommon* common);

}  // namespace eventlog::pg
