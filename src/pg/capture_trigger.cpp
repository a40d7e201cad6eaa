// eventlog_capture(options): the trigger eventlog_track() attaches to a
// table. It runs once per statement (AFTER ... FOR EACH STATEMENT, with
// transition tables) and records one event per changed row, in bulk:
//
//  * rows come from the statement's transition tables; for an UPDATE the
//    old and new tables hold the rows in the same order, so the i-th old
//    row pairs with the i-th new row even when the primary key changed;
//  * changed columns are found by comparing old and new values column by
//    column (binary equality first, then jsonb equality of their to_jsonb
//    forms, as jsonb_diff_schema would); JSON is built only for what goes
//    into the event;
//  * events are written a batch at a time by write_events (event_writer.hpp).
//
// PostgreSQL-style code: no C++ object lives in these frames. It calls two
// rich C++ functions (table_tracking, render_tracked_message) that clean up
// after themselves; their exceptions pass through to the entry guard.
#include "pg/boundary.hpp"
#include "pg/diff_output.hpp"
#include "pg/event_context.hpp"
#include "pg/event_writer.hpp"
#include "pg/pg_compat.hpp"
#include "pg/postgres.hpp"
#include "pg/table_tracking.hpp"
#include "pg/tracked_message.hpp"

namespace eventlog::pg {

namespace {

constexpr int kBatchSize = 5000;

/// The events of one statement, waiting to be inserted. The arrays grow
/// with the statement, up to kBatchSize.
struct Batch {
    Oid extension_namespace;
    EventCommon common;
    MemoryContext memory;  // holds the pending events' values; reset after each flush
    int n;
    int capacity;
    Datum* object_ids;
    bool* object_id_nulls;
    Datum* messages;
    Datum* changes;
    bool* changes_nulls;
};

void grow(Batch* batch) {
    int capacity = batch->capacity == 0 ? 8 : batch->capacity * 2;
    if (capacity > kBatchSize) capacity = kBatchSize;
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
    batch->capacity = capacity;
}

void flush(Batch* batch) {
    EventRows rows = {batch->n,        batch->object_ids, batch->object_id_nulls,
                      batch->messages, batch->changes,    batch->changes_nulls};
    write_events(batch->extension_namespace, &batch->common, &rows);
    batch->n = 0;
    MemoryContextReset(batch->memory);
}

/// Adds one event (values are copied into the batch's memory).
void add_event(Batch* batch, const char* object_id, text* message, Jsonb* changes) {
    if (batch->n == batch->capacity) grow(batch);
    MemoryContext old = MemoryContextSwitchTo(batch->memory);
    int i = batch->n++;
    batch->object_id_nulls[i] = object_id == nullptr;
    batch->object_ids[i] = object_id != nullptr ? CStringGetTextDatum(object_id) : (Datum) 0;
    batch->messages[i] = datumCopy(PointerGetDatum(message), false, -1);
    batch->changes_nulls[i] = changes == nullptr;
    batch->changes[i] = changes != nullptr ? datumCopy(PointerGetDatum(changes), false, -1) : (Datum) 0;
    MemoryContextSwitchTo(old);
    if (batch->n == kBatchSize) flush(batch);
}

/// to_jsonb of one column of a row.
Jsonb* column_jsonb(const TrackedColumn* column, TupleTableSlot* row, int attnum) {
    bool isnull;
    Datum value = slot_getattr(row, attnum, &isnull);
    return converter_apply(const_cast<JsonbConverter*>(&column->converter), value, isnull);
}

/// Did this column change? Binary-equal values did not; otherwise their
/// to_jsonb forms decide (jsonb equality: 1.0 equals 1.00).
bool column_changed(const TrackedColumn* column, TupleTableSlot* old_row, TupleTableSlot* new_row, int attnum,
                    Jsonb** old_json, Jsonb** new_json) {
    bool old_null, new_null;
    Datum old_value = slot_getattr(old_row, attnum, &old_null);
    Datum new_value = slot_getattr(new_row, attnum, &new_null);
    if (old_null && new_null) return false;
    if (!old_null && !new_null && datumIsEqual(old_value, new_value, column->typbyval, column->typlen)) return false;
    JsonbConverter* converter = const_cast<JsonbConverter*>(&column->converter);
    *old_json = converter_apply(converter, old_value, old_null);
    *new_json = converter_apply(converter, new_value, new_null);
    return old_null != new_null || compareJsonbContainers(&(*old_json)->root, &(*new_json)->root) != 0;
}

/// The event's changes; NULL for an update that changed no tracked column.
Jsonb* row_changes(const TableTracking* t, TrackedAction action, TupleTableSlot* old_row, TupleTableSlot* new_row) {
    if ((action != TrackedAction::Delete && new_row == nullptr) ||
        (action != TrackedAction::Create && old_row == nullptr))
        elog(ERROR, "eventlog_capture: a %s without its rows", action_name(action));
    DiffOutput out;
    output_begin(&out);
    for (size_t i = 0; i < t->columns.size(); i++) {
        const TrackedColumn* column = &t->columns[i];
        if (column->dropped || column->excluded) continue;
        int attnum = static_cast<int>(i) + 1;
        JsonbValue key = string_value(column->name.c_str(), static_cast<int>(column->name.size()));
        if (action == TrackedAction::Create) {
            JsonbValue value = document_value(column_jsonb(column, new_row, attnum));
            push_pair(&out.new_state, &key, &value);
        } else if (action == TrackedAction::Delete) {
            JsonbValue value = document_value(column_jsonb(column, old_row, attnum));
            push_pair(&out.old_state, &key, &value);
        } else {
            Jsonb *old_json, *new_json;
            if (!column_changed(column, old_row, new_row, attnum, &old_json, &new_json)) continue;
            JsonbValue old_value = document_value(old_json);
            JsonbValue new_value = document_value(new_json);
            output_change(&out, &key, &old_value, &new_value);
        }
    }
    if (action == TrackedAction::Update && !out.changed) return nullptr;
    return output_finish(&out);
}

/// Reads the next row of a transition table into `slot`.
bool next_row(Tuplestorestate* rows, TupleTableSlot* slot) {
    return rows != nullptr && tuplestore_gettupleslot(rows, true, false, slot);
}

/// The events of rows: pairs of old and new rows (a create has only new
/// rows, a delete only old ones). `snapshot`: the rows are the table's
/// existing rows, recorded as `snapshot` events with a message of their own.
void capture_rows(Relation table, Tuplestorestate* old_rows, Tuplestorestate* new_rows, const TableTracking* t,
                  TrackedAction action, bool snapshot, Batch* batch) {
    TupleDesc descriptor = RelationGetDescr(table);
    if ((action != TrackedAction::Create && old_rows == nullptr) ||
        (action != TrackedAction::Delete && new_rows == nullptr))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("eventlog_capture: the trigger on %s has no transition tables", t->object_type.c_str()),
                        errhint("Attach it with eventlog_track().")));
    if (old_rows != nullptr) tuplestore_rescan(old_rows);
    if (new_rows != nullptr) tuplestore_rescan(new_rows);

    TupleTableSlot* old_slot = old_rows ? MakeSingleTupleTableSlot(descriptor, &TTSOpsMinimalTuple) : nullptr;
    TupleTableSlot* new_slot = new_rows ? MakeSingleTupleTableSlot(descriptor, &TTSOpsMinimalTuple) : nullptr;
    MemoryContext row_memory = AllocSetContextCreate(CurrentMemoryContext, "eventlog row", ALLOCSET_DEFAULT_SIZES);

    EventFields event = {&batch->common, nullptr, old_slot, new_slot};

    for (;;) {
        CHECK_FOR_INTERRUPTS();
        bool have_old = old_slot != nullptr && next_row(old_rows, old_slot);
        bool have_new = new_slot != nullptr && next_row(new_rows, new_slot);
        if ((old_slot != nullptr && !have_old) || (new_slot != nullptr && !have_new)) break;

        MemoryContext old_context = MemoryContextSwitchTo(row_memory);
        Jsonb* changes = row_changes(t, action, old_slot, new_slot);
        if (changes != nullptr) {
            TupleTableSlot* identity = new_slot != nullptr ? new_slot : old_slot;
            event.object_id = nullptr;
            if (t->has_key) {
                slot_getallattrs(identity);
                event.object_id = object_id_text(&t->key, identity->tts_values, identity->tts_isnull);
            }
            text* message =
                snapshot ? cstring_to_text(psprintf("%s %s: its state when tracking began (snapshot by %s).",
                                                    t->object_type.c_str(), event.object_id, batch->common.actor))
                         : render_tracked_message(t, action, &event);
            MemoryContextSwitchTo(old_context);
            add_event(batch, event.object_id, message, changes);
        } else {
            MemoryContextSwitchTo(old_context);
        }
        MemoryContextReset(row_memory);
    }
    flush(batch);
    MemoryContextDelete(row_memory);
    if (old_slot != nullptr) ExecDropSingleTupleTableSlot(old_slot);
    if (new_slot != nullptr) ExecDropSingleTupleTableSlot(new_slot);
}

Batch* begin_batch(FunctionCallInfo fcinfo, const TableTracking* t, TrackedAction action, const char* name);

/// One event for the whole statement: object_id and changes NULL.
void capture_truncate(const TableTracking* t, Batch* batch) {
    EventFields event = {&batch->common, nullptr, nullptr, nullptr};
    add_event(batch, nullptr, render_tracked_message(t, TrackedAction::Truncate, &event), nullptr);
    flush(batch);
}

Datum capture(FunctionCallInfo fcinfo) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("eventlog_capture: must be called as a trigger"),
                        errhint("Track tables with eventlog_track().")));
    TriggerData* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
    if (!TRIGGER_FIRED_AFTER(trigger->tg_event) || !TRIGGER_FIRED_FOR_STATEMENT(trigger->tg_event) ||
        trigger->tg_trigger->tgnargs != 1)
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("eventlog_capture: must be an AFTER ... FOR EACH STATEMENT trigger with one argument"),
                        errhint("Track tables with eventlog_track().")));

    TrackedAction action;
    if (TRIGGER_FIRED_BY_INSERT(trigger->tg_event))
        action = TrackedAction::Create;
    else if (TRIGGER_FIRED_BY_UPDATE(trigger->tg_event))
        action = TrackedAction::Update;
    else if (TRIGGER_FIRED_BY_DELETE(trigger->tg_event))
        action = TrackedAction::Delete;
    else
        action = TrackedAction::Truncate;

    const TableTracking* t = table_tracking(trigger->tg_relation, trigger->tg_trigger->tgargs[0]);
    if (!t->record) return (Datum) 0;  // another placement of a Citus reference table records
    Batch* batch = begin_batch(fcinfo, t, action, action_name(action));
    if (action == TrackedAction::Truncate)
        capture_truncate(t, batch);
    else
        capture_rows(trigger->tg_relation, action == TrackedAction::Create ? nullptr : trigger->tg_oldtable,
                     action == TrackedAction::Delete ? nullptr : trigger->tg_newtable, t, action, false, batch);
    MemoryContextDelete(batch->memory);
    return (Datum) 0;
}

/// eventlog_snapshot(target regclass, options text) RETURNS bigint: one
/// `snapshot` event per row the table has now (changes as a create's: every
/// tracked column), written in batches like a statement's events; the
/// baseline a table's history starts from. For the table's owner;
/// eventlog_track(..., snapshot => true) calls it.
Datum snapshot(FunctionCallInfo fcinfo) {
    Oid table_oid = PG_GETARG_OID(0);
    char* options = text_to_cstring(PG_GETARG_TEXT_PP(1));
    Relation table = table_open(table_oid, AccessShareLock);
    if (!owns_relation(table_oid))
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                        errmsg("eventlog_snapshot: must be owner of table %s", RelationGetRelationName(table))));
    const TableTracking* t = table_tracking(table, options);
    // The rows as this statement sees them, in a tuplestore like a
    // statement's transition table (spilling to disk past work_mem).
    Tuplestorestate* rows = tuplestore_begin_heap(false, false, work_mem);
    TupleTableSlot* slot = table_slot_create(table, nullptr);
    TableScanDesc scan = begin_table_scan(table, GetActiveSnapshot());
    int64 n = 0;
    while (table_scan_getnextslot(scan, ForwardScanDirection, slot)) {
        CHECK_FOR_INTERRUPTS();
        tuplestore_puttupleslot(rows, slot);
        n++;
    }
    table_endscan(scan);
    ExecDropSingleTupleTableSlot(slot);
    Batch* batch = begin_batch(fcinfo, t, TrackedAction::Create, "snapshot");
    batch->common.template_message = nullptr;
    capture_rows(table, nullptr, rows, t, TrackedAction::Create, true, batch);
    MemoryContextDelete(batch->memory);
    tuplestore_end(rows);
    table_close(table, NoLock);
    PG_RETURN_INT64(n);
}

/// What every event of one capture shares.
Batch* begin_batch(FunctionCallInfo fcinfo, const TableTracking* t, TrackedAction action, const char* name) {
    Batch* batch = static_cast<Batch*>(palloc(sizeof(Batch)));
    batch->extension_namespace = extension_namespace(fcinfo->flinfo->fn_oid);
    batch->common.actor = default_actor();
    batch->common.actor_id = default_actor_id();
    batch->common.object_type = t->object_type.c_str();
    batch->common.object_table = t->table;
    batch->common.tool = t->options.tool.c_str();
    batch->common.action = name;
    batch->common.db_user = current_role_name();
    batch->common.template_message = cstring_to_text(t->template_text[static_cast<int>(action)].c_str());
    batch->common.values_json = nullptr;
    batch->common.context = event_context(nullptr);
    batch->memory = AllocSetContextCreate(CurrentMemoryContext, "eventlog batch", ALLOCSET_DEFAULT_SIZES);
    batch->n = 0;
    batch->capacity = 0;
    return batch;
}

}  // namespace
}  // namespace eventlog::pg

EVENTLOG_SQL_FUNCTION(eventlog_capture, eventlog::pg::capture)
EVENTLOG_SQL_FUNCTION(eventlog_snapshot, eventlog::pg::snapshot)
