// Messages of tracked-table events: a template rendered against the event's
// own fields ({actor}, {tool}, {action}, {object_type}, {object_id}) and its
// rows ({old__COLUMN}, {new__COLUMN}, with attribute paths into json values).
#pragma once

#include "core/tracking_options.hpp"
#include "pg/event_writer.hpp"
#include "pg/postgres.hpp"
#include "pg/table_tracking.hpp"

namespace eventlog::pg {

/// One event, as plain data the renderer reads: what the statement's events
/// share, and this one's key and rows.
struct EventFields {
    const EventCommon* common;  // actor, tool, action, object_type
    const char* object_id;      // NULL for truncate
    TupleTableSlot* old_row;    // NULL for create and truncate
    TupleTableSlot* new_row;    // NULL for delete and truncate
};

/// Renders the action's template (palloc'd text in the current context).
/// Never fails on the rows' contents: a template that cannot be rendered
/// falls back to the action's default message.
text* render_tracked_message(const TableTracking* tracking, TrackedAction action, const EventFields* event);

}  // namespace eventlog::pg
