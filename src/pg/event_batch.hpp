// Events waiting to be written together: what they share (EventCommon) and,
// per event, its object id, message and changes, copied into the batch's
// memory. Full at kEventBatchSize events; each write is one call of the
// batch writer (write_events: one count delta, one multi-insert), after
// which the batch is empty again. Trigger capture fills one per statement,
// WAL capture's applier one per run of events that share their fields.
// PostgreSQL-style code (no C++ objects).
#pragma once

#include "pg/event_writer.hpp"
#include "pg/postgres.hpp"

namespace eventlog::pg {

constexpr int kEventBatchSize = 5000;

struct EventBatch {
    Oid extension_namespace;
    EventCommon common;    // the caller's to fill (and to keep alive)
    MemoryContext parent;  // the arrays' memory
    MemoryContext memory;  // the events' values; reset after each write
    int n;
    int capacity;  // grows with the batch, up to kEventBatchSize
    Datum* object_ids;
    bool* object_id_nulls;
    Datum* messages;
    Datum* changes;
    bool* changes_nulls;
};

/// An empty batch (common zeroed), its memory a child of `parent`.
void event_batch_init(EventBatch* batch, Oid extension_namespace, MemoryContext parent);

/// Adds one event (copied); a full batch is written first.
void event_batch_add(EventBatch* batch, const char* object_id, text* message, Jsonb* changes);

/// Whether the batch holds kEventBatchSize events.
inline bool event_batch_full(const EventBatch* batch) { return batch->n == kEventBatchSize; }

/// Writes what the batch holds (nothing when empty) and empties it; returns
/// how many events it wrote.
int event_batch_write(EventBatch* batch);

/// Empties the batch without writing it.
void event_batch_clear(EventBatch* batch);

/// Frees the batch's memory.
void event_batch_free(EventBatch* batch);

}  // namespace eventlog::pg
