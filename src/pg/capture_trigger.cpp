// eventlog_capture(options): the trigger eventlog_track() attaches to a
// table. It runs once per statement (AFTER ... FOR EACH STATEMENT, with
// transition tables) and records one event per changed row, in bulk:
//
//  * rows come from the statement's transition tables; for an UPDATE the
//    old and new tables hold the rows in the same order, so the i-th old
//    row pairs with the i-th new row even when the primary key changed;
//  * each row's event (changes, object id, message) is built by
//    build_tracked_change (tracked_change.hpp), the code WAL capture uses
//    too;
//  * events are written a batch at a time (event_batch.hpp).
//
// PostgreSQL-style code: no C++ object lives in these frames. It calls rich
// C++ functions (table_tracking, the message renderer) that clean up after
// themselves; their exceptions pass through to the entry guard.
#include "pg/boundary.hpp"
#include "pg/event_batch.hpp"
#include "pg/event_context.hpp"
#include "pg/event_writer.hpp"
#include "pg/pg_compat.hpp"
#include "pg/postgres.hpp"
#include "pg/table_tracking.hpp"
#include "pg/tracked_change.hpp"

namespace eventlog::pg {

namespace {

/// Reads the next row of a transition table into `slot`.
bool next_row(Tuplestorestate* rows, TupleTableSlot* slot) {
    return rows != nullptr && tuplestore_gettupleslot(rows, true, false, slot);
}

/// The events of rows: pairs of old and new rows (a create has only new
/// rows, a delete only old ones). `snapshot`: the rows are the table's
/// existing rows, recorded as `snapshot` events with a message of their own.
void capture_rows(Relation table, Tuplestorestate* old_rows, Tuplestorestate* new_rows, const TableTracking* t,
                  TrackedAction action, bool snapshot, EventBatch* batch) {
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

    for (;;) {
        CHECK_FOR_INTERRUPTS();
        bool have_old = old_slot != nullptr && next_row(old_rows, old_slot);
        bool have_new = new_slot != nullptr && next_row(new_rows, new_slot);
        if ((old_slot != nullptr && !have_old) || (new_slot != nullptr && !have_new)) break;

        MemoryContext old_context = MemoryContextSwitchTo(row_memory);
        TrackedChange change;
        bool recorded = build_tracked_change(t, action, snapshot, &batch->common, old_slot, new_slot, &change);
        MemoryContextSwitchTo(old_context);
        if (recorded) event_batch_add(batch, change.object_id, change.message, change.changes);
        MemoryContextReset(row_memory);
    }
    event_batch_write(batch);
    MemoryContextDelete(row_memory);
    if (old_slot != nullptr) ExecDropSingleTupleTableSlot(old_slot);
    if (new_slot != nullptr) ExecDropSingleTupleTableSlot(new_slot);
}

EventBatch* begin_batch(FunctionCallInfo fcinfo, const TableTracking* t, TrackedAction action, const char* name);

/// One event for the whole statement: object_id and changes NULL.
void capture_truncate(const TableTracking* t, EventBatch* batch) {
    event_batch_add(batch, nullptr, tracked_truncate_message(t, &batch->common), nullptr);
    event_batch_write(batch);
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
    EventBatch* batch = begin_batch(fcinfo, t, action, action_name(action));
    if (action == TrackedAction::Truncate)
        capture_truncate(t, batch);
    else
        capture_rows(trigger->tg_relation, action == TrackedAction::Create ? nullptr : trigger->tg_oldtable,
                     action == TrackedAction::Delete ? nullptr : trigger->tg_newtable, t, action, false, batch);
    event_batch_free(batch);
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
    EventBatch* batch = begin_batch(fcinfo, t, TrackedAction::Create, "snapshot");
    batch->common.template_message = nullptr;
    capture_rows(table, nullptr, rows, t, TrackedAction::Create, true, batch);
    event_batch_free(batch);
    tuplestore_end(rows);
    table_close(table, NoLock);
    PG_RETURN_INT64(n);
}

/// What every event of one capture shares.
EventBatch* begin_batch(FunctionCallInfo fcinfo, const TableTracking* t, TrackedAction action, const char* name) {
    EventBatch* batch = static_cast<EventBatch*>(palloc(sizeof(EventBatch)));
    // (common's timestamp and transaction_id zero: now, this transaction)
    event_batch_init(batch, extension_namespace(fcinfo->flinfo->fn_oid), CurrentMemoryContext);
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
    return batch;
}

}  // namespace
}  // namespace eventlog::pg

EVENTLOG_SQL_FUNCTION(eventlog_capture, eventlog::pg::capture)
EVENTLOG_SQL_FUNCTION(eventlog_snapshot, eventlog::pg::snapshot)
