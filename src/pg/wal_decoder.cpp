// WAL capture's logical decoding output plugin, in eventlog.so itself
// (slots name the plugin "eventlog"). For each committed transaction it
// emits, in order, the events of the changes to WAL-tracked tables and
// then the transaction's end (capture_records.hpp):
//
//  * a table is WAL-tracked while it has the trigger eventlog_capture_wal
//    (wal_capture.hpp), read from the table's relcache entry, which logical
//    decoding builds as of the change; the trigger's argument is the
//    tracking options. A partition's changes count for the partitioned
//    table that is tracked, its rows converted to that table's columns;
//  * each change's event is built by build_tracked_change
//    (tracked_change.hpp), the code trigger capture runs, with the table's
//    columns of that moment (table_tracking_for_decoding). Old rows come
//    from REPLICA IDENTITY FULL; a column an UPDATE left unchanged and
//    TOASTed arrives as an on-disk pointer and is taken from the old row;
//  * who made the changes comes from the capture trigger's messages
//    (capture_context.hpp), in order with the changes;
//  * a change whose event cannot be built (an error converting a value, a
//    row without its old values) is emitted as a failure record instead,
//    inside a subtransaction of its own, and decoding goes on.
// Rich C++ (try/catch around each change): PostgreSQL is called through
// pg_call; the helpers in the unnamed namespace marked PostgreSQL-style
// hold no C++ object.
#include <cstring>

#include "core/error.hpp"

#include "pg/boundary.hpp"
#include "pg/capture_context.hpp"
#include "pg/capture_records.hpp"
#include "pg/pg_compat.hpp"
#include "pg/subtransaction.hpp"
#include "pg/table_tracking.hpp"
#include "pg/tracked_change.hpp"
#include "pg/wal_capture.hpp"

namespace eventlog::pg {

namespace {

struct DecoderState {
    MemoryContext change_memory;  // one change's work; reset after each
    MemoryContext txn_memory;     // the transaction's context message
    bool have_context;
    CaptureContext context;
    Oid trigger_function;  // eventlog_capture_context's oid, once seen
    OriginId skip_origin;  // the applying worker's own writes (option skip_origin)
    // A DELETE of a tracked partitioned table's partition, held back: an
    // UPDATE that moves a row to another partition is logged as a DELETE
    // and an INSERT (into another partition), one right after the other;
    // trigger capture sees one update, and so is it recorded.
    MemoryContext pending_memory;
    bool pending;
    Oid pending_tracked;    // the partitioned table tracked
    Oid pending_partition;  // the partition the row left
    char* pending_options;
    HeapTuple pending_row;  // the old row, as a row of the tracked table
    XLogRecPtr pending_lsn;
};

DecoderState* state_of(LogicalDecodingContext* ctx) { return static_cast<DecoderState*>(ctx->output_plugin_private); }

// --- PostgreSQL-style helpers ----------------------------------------------

/// The tracking options of a WAL-tracked table (its capture trigger's
/// argument), or NULL.
const char* wal_options(DecoderState* s, Relation rel) {
    TriggerDesc* triggers = rel->trigdesc;
    if (triggers == nullptr) return nullptr;
    for (int i = 0; i < triggers->numtriggers; i++) {
        Trigger* t = &triggers->triggers[i];
        if (std::strcmp(t->tgname, kWalTriggerName) != 0 || t->tgnargs != 1) continue;
        if (t->tgfoid != s->trigger_function) {
            char* name = get_func_name(t->tgfoid);
            if (name == nullptr || std::strcmp(name, kWalTriggerFunction) != 0) continue;
            s->trigger_function = t->tgfoid;
        }
        return t->tgargs[0];
    }
    return nullptr;
}

/// The WAL-tracked relation a change of `rel` is about: `rel` itself, or
/// its nearest tracked partitioned ancestor (opened; close it with
/// RelationClose when it is not `rel`). NULL when none is tracked.
Relation tracked_relation(DecoderState* s, Relation rel, const char** options) {
    *options = wal_options(s, rel);
    if (*options != nullptr) return rel;
    if (!rel->rd_rel->relispartition) return nullptr;
    List* ancestors = get_partition_ancestors(RelationGetRelid(rel));
    ListCell* cell;
    foreach (cell, ancestors) {
        Relation ancestor = RelationIdGetRelation(lfirst_oid(cell));
        if (!RelationIsValid(ancestor)) continue;
        *options = wal_options(s, ancestor);
        if (*options != nullptr) return ancestor;
        RelationClose(ancestor);
    }
    return nullptr;
}

/// `tuple` of `from` as a row of `to` (a partition's row as its parent's).
HeapTuple as_row_of(HeapTuple tuple, Relation from, Relation to) {
    if (tuple == nullptr || from == to) return tuple;
    TupleConversionMap* map = convert_tuples_by_name(RelationGetDescr(from), RelationGetDescr(to));
    return map == nullptr ? tuple : execute_attr_map_tuple(tuple, map);
}

/// The new row of an UPDATE with the values it left unchanged and TOASTed
/// (logged as on-disk pointers, never detoasted here) taken from the old row.
HeapTuple with_unchanged_toast(TupleDesc descriptor, HeapTuple new_tuple, HeapTuple old_tuple) {
    int natts = descriptor->natts;
    Datum* values = static_cast<Datum*>(palloc(sizeof(Datum) * natts));
    bool* nulls = static_cast<bool*>(palloc(sizeof(bool) * natts));
    Datum* old_values = nullptr;
    bool* old_nulls = nullptr;
    bool replaced = false;
    heap_deform_tuple(new_tuple, descriptor, values, nulls);
    for (int i = 0; i < natts; i++) {
        Form_pg_attribute attribute = TupleDescAttr(descriptor, i);
        if (attribute->attisdropped || attribute->attlen != -1 || nulls[i]) continue;
        if (!VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(values[i]))) continue;
        if (old_tuple == nullptr)
            ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                            errmsg("eventlog: an unchanged TOASTed value without the old row"),
                            errhint("WAL capture needs REPLICA IDENTITY FULL, which eventlog_track sets.")));
        if (old_values == nullptr) {
            old_values = static_cast<Datum*>(palloc(sizeof(Datum) * natts));
            old_nulls = static_cast<bool*>(palloc(sizeof(bool) * natts));
            heap_deform_tuple(old_tuple, descriptor, old_values, old_nulls);
        }
        values[i] = old_values[i];
        nulls[i] = old_nulls[i];
        replaced = true;
    }
    return replaced ? heap_form_tuple(descriptor, values, nulls) : new_tuple;
}

/// The top-level transaction's full id from its 32-bit one (the change is
/// recent: within the current epoch or just before it).
FullTransactionId full_xid(TransactionId xid) {
    FullTransactionId next = ReadNextFullTransactionId();
    uint32 epoch = EpochFromFullTransactionId(next);
    if (xid > XidFromFullTransactionId(next) && epoch > 0) epoch--;
    return FullTransactionIdFromEpochAndXid(epoch, xid);
}

/// What every event of a change shares: the table's tracking, and who made
/// the change as the transaction's last context message said (commit time
/// and an unknown role when the trigger sent none).
void fill_common(DecoderState* s, ReorderBufferTXN* txn, const TableTracking* t, TrackedAction action, EventCommon* c) {
    *c = EventCommon{};
    c->object_type = t->object_type.c_str();
    c->object_table = t->table;
    c->tool = t->options.tool.c_str();
    c->action = action_name(action);
    c->template_message = cstring_to_text(t->template_text[static_cast<int>(action)].c_str());
    if (s->have_context) {
        c->actor = s->context.actor;
        c->actor_id = s->context.actor_id;
        c->db_user = s->context.db_user;
        c->context = s->context.context;
        c->timestamp = s->context.timestamp;
        c->transaction_id = s->context.transaction_id;
    } else {
        c->db_user = "(unknown)";
        c->timestamp = decoded_commit_time(txn);
        c->transaction_id = full_xid(txn->xid);
    }
}

void emit_event(LogicalDecodingContext* ctx, const CapturedEvent* event) {
    OutputPluginPrepareWrite(ctx, true);
    put_captured_event(ctx->out, event);
    OutputPluginWrite(ctx, true);
}

/// The event of one row change (or none: an update of no tracked column).
/// `old_from` and `new_from`: the relations the rows are rows of (the
/// tracked table, or a partition of it).
void decode_row_change(LogicalDecodingContext* ctx, ReorderBufferTXN* txn, Relation old_from, Relation new_from,
                       Relation tracked, const char* options, TrackedAction action, HeapTuple old_tuple,
                       HeapTuple new_tuple) {
    DecoderState* s = state_of(ctx);
    if (action != TrackedAction::Create && old_tuple == nullptr)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("eventlog: a decoded %s of %s has no old row", action_name(action),
                               RelationGetRelationName(old_from)),
                        errhint("WAL capture needs REPLICA IDENTITY FULL, which eventlog_track sets.")));
    old_tuple = as_row_of(old_tuple, old_from, tracked);
    new_tuple = as_row_of(new_tuple, new_from, tracked);
    TupleDesc descriptor = RelationGetDescr(tracked);
    if (action == TrackedAction::Update) new_tuple = with_unchanged_toast(descriptor, new_tuple, old_tuple);

    const TableTracking* t = table_tracking_for_decoding(tracked, options);
    CapturedEvent event;
    fill_common(s, txn, t, action, &event.common);
    TupleTableSlot* old_slot = nullptr;
    TupleTableSlot* new_slot = nullptr;
    if (old_tuple != nullptr && action != TrackedAction::Create) {
        old_slot = MakeSingleTupleTableSlot(descriptor, &TTSOpsHeapTuple);
        ExecStoreHeapTuple(old_tuple, old_slot, false);
    }
    if (new_tuple != nullptr && action != TrackedAction::Delete) {
        new_slot = MakeSingleTupleTableSlot(descriptor, &TTSOpsHeapTuple);
        ExecStoreHeapTuple(new_tuple, new_slot, false);
    }
    TrackedChange change;
    bool recorded = build_tracked_change(t, action, false, &event.common, old_slot, new_slot, &change);
    if (old_slot != nullptr) ExecDropSingleTupleTableSlot(old_slot);
    if (new_slot != nullptr) ExecDropSingleTupleTableSlot(new_slot);
    if (!recorded) return;
    event.object_id = change.object_id;
    event.message = change.message;
    event.changes = change.changes;
    emit_event(ctx, &event);
}

/// The event of a TRUNCATE of a tracked table.
void decode_truncate(LogicalDecodingContext* ctx, ReorderBufferTXN* txn, Relation tracked, const char* options) {
    const TableTracking* t = table_tracking_for_decoding(tracked, options);
    CapturedEvent event;
    fill_common(state_of(ctx), txn, t, TrackedAction::Truncate, &event.common);
    event.object_id = nullptr;
    event.changes = nullptr;
    event.message = tracked_truncate_message(t, &event.common);
    emit_event(ctx, &event);
}

/// PostgreSQL-style: the failure record of a change that could not become an
/// event.
void emit_failure(LogicalDecodingContext* ctx, ReorderBufferTXN* txn, Oid table, TrackedAction action, XLogRecPtr lsn,
                  int sqlstate, const char* message) {
    DecoderState* s = state_of(ctx);
    MemoryContext old = MemoryContextSwitchTo(s->change_memory);
    CapturedFailure failure;
    failure.table = table;
    failure.object_type = get_rel_name(table) != nullptr ? object_type_name(table) : nullptr;
    failure.action = action_name(action);
    failure.lsn = lsn;
    failure.transaction_id = s->have_context ? s->context.transaction_id : full_xid(txn->xid);
    failure.sqlstate = unpack_sql_state(sqlstate);
    failure.error = message;
    OutputPluginPrepareWrite(ctx, true);
    put_captured_failure(ctx->out, &failure);
    OutputPluginWrite(ctx, true);
    MemoryContextSwitchTo(old);
}

// --- Rich C++: one change at a time, failures isolated ----------------------

/// Runs `decode` (which emits the change's event) in a subtransaction of its
/// own; when it fails, emits a failure record about the change instead.
template <class Decode>
void isolated(LogicalDecodingContext* ctx, ReorderBufferTXN* txn, Oid table, TrackedAction action, XLogRecPtr lsn,
              Decode&& decode) {
    DecoderState* s = state_of(ctx);
    in_subtransaction(
        s->change_memory,
        [&] {
            MemoryContextSwitchTo(s->change_memory);
            // The change's snapshot (historic: the catalogs as of the change)
            // is the active one, for what converting values may run (a cast
            // to json written in SQL, as trigger capture would run it).
            PushActiveSnapshot(GetCatalogSnapshot(InvalidOid));
            decode();
            PopActiveSnapshot();
        },
        [&](int sqlstate, const char* message) {
            pg_call([&] { emit_failure(ctx, txn, table, action, lsn, sqlstate, message); });
        });
}

void flush_pending(LogicalDecodingContext* ctx, ReorderBufferTXN* txn);

/// PostgreSQL-style: the decoder's state and options.
void start_decoder(LogicalDecodingContext* ctx, OutputPluginOptions* options) {
    DecoderState* s = static_cast<DecoderState*>(MemoryContextAllocZero(ctx->context, sizeof(DecoderState)));
    s->change_memory = AllocSetContextCreate(ctx->context, "eventlog decoded change", ALLOCSET_DEFAULT_SIZES);
    s->txn_memory = AllocSetContextCreate(ctx->context, "eventlog decoded transaction", ALLOCSET_SMALL_SIZES);
    s->pending_memory = AllocSetContextCreate(ctx->context, "eventlog held-back delete", ALLOCSET_SMALL_SIZES);
    ctx->output_plugin_private = s;
    ListCell* cell;
    foreach (cell, ctx->output_plugin_options) {
        DefElem* option = lfirst_node(DefElem, cell);
        if (std::strcmp(option->defname, "skip_origin") == 0)
            s->skip_origin = static_cast<OriginId>(pg_strtoint32(defGetString(option)));
        else
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("eventlog: unknown decoding option \"%s\"", option->defname)));
    }
    options->output_type = OUTPUT_PLUGIN_BINARY_OUTPUT;
    options->receive_rewrites = false;
}

void on_startup(LogicalDecodingContext* ctx, OutputPluginOptions* options, bool) {
    pg_call([&] { start_decoder(ctx, options); });
}

void on_begin(LogicalDecodingContext* ctx, ReorderBufferTXN*) {
    DecoderState* s = state_of(ctx);
    pg_call([&] {
        MemoryContextReset(s->txn_memory);
        MemoryContextReset(s->pending_memory);
    });
    s->have_context = false;
    s->pending = false;
}

void on_message(LogicalDecodingContext* ctx, ReorderBufferTXN* txn, bool transactional, const char* prefix, Size size,
                const char* message) {
    DecoderState* s = state_of(ctx);
    if (!transactional || std::strcmp(prefix, kCaptureMessagePrefix) != 0) return;
    flush_pending(ctx, txn);
    bool decoded = pg_call([&] {
        MemoryContext old = MemoryContextSwitchTo(s->txn_memory);
        CaptureContext context;
        bool ok = decode_capture_context(message, size, &context);
        MemoryContextSwitchTo(old);
        if (ok) s->context = context;
        return ok;
    });
    if (decoded) s->have_context = true;
}

/// Records the held-back DELETE (when there is one) as a delete.
void flush_pending(LogicalDecodingContext* ctx, ReorderBufferTXN* txn) {
    DecoderState* s = state_of(ctx);
    if (!s->pending) return;
    s->pending = false;
    Relation tracked = pg_call([&] { return RelationIdGetRelation(s->pending_tracked); });
    if (RelationIsValid(tracked)) {
        try {
            isolated(ctx, txn, s->pending_tracked, TrackedAction::Delete, s->pending_lsn, [&] {
                decode_row_change(ctx, txn, tracked, tracked, tracked, s->pending_options, TrackedAction::Delete,
                                  s->pending_row, nullptr);
            });
        } catch (...) {
            pg_call([&] { RelationClose(tracked); });
            throw;
        }
        pg_call([&] { RelationClose(tracked); });
    }
    pg_call([&] {
        MemoryContextReset(s->pending_memory);
        MemoryContextReset(s->change_memory);
    });
}

void on_change(LogicalDecodingContext* ctx, ReorderBufferTXN* txn, Relation rel, ReorderBufferChange* change) {
    DecoderState* s = state_of(ctx);
    TrackedAction action;
    switch (change->action) {
        case REORDER_BUFFER_CHANGE_INSERT: action = TrackedAction::Create; break;
        case REORDER_BUFFER_CHANGE_UPDATE: action = TrackedAction::Update; break;
        case REORDER_BUFFER_CHANGE_DELETE: action = TrackedAction::Delete; break;
        default: return;
    }
    const char* options = nullptr;
    const char** options_out = &options;
    Relation tracked = pg_call([&] { return tracked_relation(s, rel, options_out); });
    if (tracked == nullptr) return;
    HeapTuple old_tuple = change_tuple(change->data.tp.oldtuple);
    HeapTuple new_tuple = change_tuple(change->data.tp.newtuple);
    Oid tracked_oid = RelationGetRelid(tracked);
    Oid rel_oid = RelationGetRelid(rel);
    bool moved = s->pending && action == TrackedAction::Create && tracked != rel && s->pending_tracked == tracked_oid &&
                 s->pending_partition != rel_oid;
    if (s->pending && !moved) flush_pending(ctx, txn);
    try {
        if (moved) {
            // The row moved between partitions: one update.
            s->pending = false;
            isolated(ctx, txn, tracked_oid, TrackedAction::Update, change->lsn, [&] {
                decode_row_change(ctx, txn, tracked, rel, tracked, options, TrackedAction::Update, s->pending_row,
                                  new_tuple);
            });
            pg_call([&] { MemoryContextReset(s->pending_memory); });
        } else if (action == TrackedAction::Delete && tracked != rel && old_tuple != nullptr) {
            // Perhaps the first half of a move: held until the next change.
            pg_call([&] {
                MemoryContext old = MemoryContextSwitchTo(s->pending_memory);
                s->pending_row = heap_copytuple(as_row_of(old_tuple, rel, tracked));
                s->pending_options = pstrdup(options);
                MemoryContextSwitchTo(old);
            });
            s->pending = true;
            s->pending_tracked = tracked_oid;
            s->pending_partition = rel_oid;
            s->pending_lsn = change->lsn;
        } else {
            isolated(ctx, txn, tracked_oid, action, change->lsn,
                     [&] { decode_row_change(ctx, txn, rel, rel, tracked, options, action, old_tuple, new_tuple); });
        }
    } catch (...) {
        if (tracked != rel) pg_call([&] { RelationClose(tracked); });
        throw;
    }
    pg_call([&] {
        if (tracked != rel) RelationClose(tracked);
        MemoryContextReset(s->change_memory);
    });
}

void on_truncate(LogicalDecodingContext* ctx, ReorderBufferTXN* txn, int count, Relation* relations,
                 ReorderBufferChange* change) {
    DecoderState* s = state_of(ctx);
    flush_pending(ctx, txn);
    // One event per tracked table, however many of its partitions were
    // truncated with it.
    Oid done[64];
    int ndone = 0;
    for (int i = 0; i < count; i++) {
        const char* options = nullptr;
        const char** options_out = &options;
        Relation rel = relations[i];
        Relation tracked = pg_call([&] { return tracked_relation(s, rel, options_out); });
        if (tracked == nullptr) continue;
        Oid oid = RelationGetRelid(tracked);
        bool seen = false;
        for (int k = 0; k < ndone; k++) seen |= done[k] == oid;
        if (!seen) {
            if (ndone < 64) done[ndone++] = oid;
            try {
                isolated(ctx, txn, oid, TrackedAction::Truncate, change->lsn,
                         [&] { decode_truncate(ctx, txn, tracked, options); });
            } catch (...) {
                if (tracked != rel) pg_call([&] { RelationClose(tracked); });
                throw;
            }
        }
        pg_call([&] {
            if (tracked != rel) RelationClose(tracked);
            MemoryContextReset(s->change_memory);
        });
    }
}

bool on_filter_by_origin(LogicalDecodingContext* ctx, OriginId origin) {
    DecoderState* s = state_of(ctx);
    return s->skip_origin != kInvalidOriginId && origin == s->skip_origin;
}

void on_commit(LogicalDecodingContext* ctx, ReorderBufferTXN* txn) {
    flush_pending(ctx, txn);
    CapturedEnd end = {txn->end_lsn, decoded_commit_time(txn)};
    pg_call([&] {
        OutputPluginPrepareWrite(ctx, true);
        put_captured_end(ctx->out, &end);
        OutputPluginWrite(ctx, true);
    });
}

}  // namespace
}  // namespace eventlog::pg

extern "C" {

static void eventlog_decode_startup(LogicalDecodingContext* ctx, OutputPluginOptions* options, bool is_init) {
    eventlog::pg::guarded([&] { eventlog::pg::on_startup(ctx, options, is_init); });
}

static void eventlog_decode_begin(LogicalDecodingContext* ctx, ReorderBufferTXN* txn) {
    eventlog::pg::guarded([&] { eventlog::pg::on_begin(ctx, txn); });
}

static void eventlog_decode_change(LogicalDecodingContext* ctx, ReorderBufferTXN* txn, Relation rel,
                                   ReorderBufferChange* change) {
    eventlog::pg::guarded([&] { eventlog::pg::on_change(ctx, txn, rel, change); });
}

static void eventlog_decode_truncate(LogicalDecodingContext* ctx, ReorderBufferTXN* txn, int count, Relation* relations,
                                     ReorderBufferChange* change) {
    eventlog::pg::guarded([&] { eventlog::pg::on_truncate(ctx, txn, count, relations, change); });
}

static void eventlog_decode_message(LogicalDecodingContext* ctx, ReorderBufferTXN* txn, XLogRecPtr, bool transactional,
                                    const char* prefix, Size size, const char* message) {
    eventlog::pg::guarded([&] { eventlog::pg::on_message(ctx, txn, transactional, prefix, size, message); });
}

static void eventlog_decode_commit(LogicalDecodingContext* ctx, ReorderBufferTXN* txn, XLogRecPtr) {
    eventlog::pg::guarded([&] { eventlog::pg::on_commit(ctx, txn); });
}

static bool eventlog_decode_filter_by_origin(LogicalDecodingContext* ctx, eventlog::pg::OriginId origin) {
    return eventlog::pg::guarded([&] { return eventlog::pg::on_filter_by_origin(ctx, origin); });
}

void _PG_output_plugin_init(OutputPluginCallbacks* callbacks);

void _PG_output_plugin_init(OutputPluginCallbacks* callbacks) {
    callbacks->startup_cb = eventlog_decode_startup;
    callbacks->begin_cb = eventlog_decode_begin;
    callbacks->change_cb = eventlog_decode_change;
    callbacks->truncate_cb = eventlog_decode_truncate;
    callbacks->message_cb = eventlog_decode_message;
    callbacks->commit_cb = eventlog_decode_commit;
    callbacks->filter_by_origin_cb = eventlog_decode_filter_by_origin;
}

}  // extern "C"
