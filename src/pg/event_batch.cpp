#include "pg/event_batch.hpp"

namespace eventlog::pg {

namespace {

/// Room for twice as many events (8 at first), up to kEventBatchSize. The
/// arrays live as long as the batch (the parent's memory), not its values.
void grow(EventBatch* batch) {
    int capacity = batch->capacity == 0 ? 8 : batch->capacity * 2;
    if (capacity > kEventBatchSize) capacity = kEventBatchSize;
    MemoryContext old = MemoryContextSwitchTo(batch->parent);
    if (batch->capacity == 0) {
        batch->object_ids = static_cast<Datum*>(palloc(sizeof(Datum) * capacity));
        batch->object_id_nulls = static_cast<bool*>(palloc(sizeof(bool) * capacity));
        batch->messages = static_cast<Datum*>(palloc(sizeof(Datum) * capacity));
        batch->changes = static_cast<Datum*>(palloc(sizeof(Datum) * capacity));
        batch->changes_nulls = static_cast<bool*>(palloc(sizeof(bool) * capacity));
    } else {
        batch->object_ids = static_cast<Datum*>(repalloc(batch->object_ids, sizeof(Datum) * capacity));
        batch->object_id_nulls = static_cast<bool*>(repalloc(batch->object_id_nulls, sizeof(bool) * capacity));
        batch->messages = static_cast<Datum*>(repalloc(batch->messages, sizeof(Datum) * capacity));
        batch->changes = static_cast<Datum*>(repalloc(batch->changes, sizeof(Datum) * capacity));
        batch->changes_nulls = static_cast<bool*>(repalloc(batch->changes_nulls, sizeof(bool) * capacity));
    }
    MemoryContextSwitchTo(old);
    batch->capacity = capacity;
}

}  // namespace

void event_batch_init(EventBatch* batch, Oid extension_namespace, MemoryContext parent) {
    *batch = EventBatch{};
    batch->extension_namespace = extension_namespace;
    batch->parent = parent;
    batch->memory = AllocSetContextCreate(parent, "eventlog batch", ALLOCSET_DEFAULT_SIZES);
}

void event_batch_add(EventBatch* batch, const char* object_id, text* message, Jsonb* changes) {
    if (event_batch_full(batch)) event_batch_write(batch);
    if (batch->n == batch->capacity) grow(batch);
    MemoryContext old = MemoryContextSwitchTo(batch->memory);
    int i = batch->n++;
    batch->object_id_nulls[i] = object_id == nullptr;
    batch->object_ids[i] = object_id != nullptr ? CStringGetTextDatum(object_id) : (Datum) 0;
    batch->messages[i] = datumCopy(PointerGetDatum(message), false, -1);
    batch->changes_nulls[i] = changes == nullptr;
    batch->changes[i] = changes != nullptr ? datumCopy(PointerGetDatum(changes), false, -1) : (Datum) 0;
    MemoryContextSwitchTo(old);
}

int event_batch_write(EventBatch* batch) {
    int n = batch->n;
    if (n > 0) {
        EventRows rows = {
            n, batch->object_ids, batch->object_id_nulls, batch->messages, batch->changes, batch->changes_nulls};
        write_events(batch->extension_namespace, &batch->common, &rows);
    }
    event_batch_clear(batch);
    return n;
}

void event_batch_clear(EventBatch* batch) {
    batch->n = 0;
    MemoryContextReset(batch->memory);
}

void event_batch_free(EventBatch* batch) { MemoryContextDelete(batch->memory); }

}  // namespace eventlog::pg
