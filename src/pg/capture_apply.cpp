#include <cstring>

#include "pg/boundary.hpp"
#include "pg/capture_apply.hpp"
#include "pg/capture_records.hpp"
#include "pg/event_batch.hpp"
#include "pg/event_counts.hpp"
#include "pg/event_writer.hpp"
#include "pg/owner_rights.hpp"
#include "pg/subtransaction.hpp"

namespace eventlog::pg {

struct CaptureBuffer {
    MemoryContext memory;
    Tuplestorestate* records;  // one bytea per record
    TupleDesc descriptor;
    int64 transactions;
    int64 events;
    TimestampTz since;
};

namespace {

// --- Collecting the decoder's output ------------------------------------------

void prepare_write(LogicalDecodingContext* ctx, XLogRecPtr, TransactionId, bool) { resetStringInfo(ctx->out); }

void collect(LogicalDecodingContext* ctx, XLogRecPtr, TransactionId, bool) {
    CaptureBuffer* buffer = static_cast<CaptureBuffer*>(ctx->output_writer_private);
    MemoryContext old = MemoryContextSwitchTo(buffer->memory);
    bytea* record = static_cast<bytea*>(palloc(VARHDRSZ + ctx->out->len));
    SET_VARSIZE(record, VARHDRSZ + ctx->out->len);
    std::memcpy(VARDATA(record), ctx->out->data, ctx->out->len);
    Datum value = PointerGetDatum(record);
    bool isnull = false;
    tuplestore_putvalues(buffer->records, buffer->descriptor, &value, &isnull);
    pfree(record);
    MemoryContextSwitchTo(old);
    char kind = captured_kind(ctx->out->data, ctx->out->len);
    if (kind == static_cast<char>(CapturedKind::Event)) buffer->events++;
    if (kind == static_cast<char>(CapturedKind::End)) buffer->transactions++;
    if (buffer->since == 0) buffer->since = GetCurrentTimestamp();
}

// --- Writing events -----------------------------------------------------------

/// Consecutive events that share everything but object id, message and
/// changes: one write of the batch writer.
struct Group {
    EventBatch batch;             // its events (batch.common: what they share)
    MemoryContext common_memory;  // batch.common's values; reset when the group closes
    bool open;
    XLogRecPtr end_lsn;  // of the transaction the events belong to (when known)
};

bool same_string(const char* a, const char* b) {
    return (a == nullptr && b == nullptr) || (a != nullptr && b != nullptr && std::strcmp(a, b) == 0);
}

bool same_varlena(const void* a, const void* b) {
    if (a == nullptr || b == nullptr) return a == b;
    return VARSIZE(a) == VARSIZE(b) && std::memcmp(a, b, VARSIZE(a)) == 0;
}

bool same_common(const EventCommon* a, const EventCommon* b) {
    return a->object_table == b->object_table && a->timestamp == b->timestamp &&
           FullTransactionIdEquals(a->transaction_id, b->transaction_id) && same_string(a->actor, b->actor) &&
           same_string(a->actor_id, b->actor_id) && same_string(a->object_type, b->object_type) &&
           same_string(a->tool, b->tool) && same_string(a->action, b->action) && same_string(a->db_user, b->db_user) &&
           same_varlena(a->template_message, b->template_message) && same_varlena(a->values_json, b->values_json) &&
           same_varlena(a->context, b->context);
}

/// Writes the group (nothing when empty) and closes it.
void write_group(Group* g, CaptureProgress* progress) {
    progress->events += event_batch_write(&g->batch);
    g->open = false;
    MemoryContextReset(g->common_memory);
}

char* copy_string(const char* s) { return s != nullptr ? pstrdup(s) : nullptr; }

void* copy_varlena(const void* v) {
    return v != nullptr ? DatumGetPointer(datumCopy(PointerGetDatum(v), false, -1)) : nullptr;
}

/// Opens the group with `event`'s common fields, or adds to the open one;
/// the caller wrote the open group first when the fields differ.
void add_to_group(Group* g, const CapturedEvent* event) {
    if (!g->open) {
        MemoryContext old = MemoryContextSwitchTo(g->common_memory);
        EventCommon* c = &g->batch.common;
        *c = event->common;
        c->actor = copy_string(event->common.actor);
        c->actor_id = copy_string(event->common.actor_id);
        c->object_type = copy_string(event->common.object_type);
        c->tool = copy_string(event->common.tool);
        c->action = copy_string(event->common.action);
        c->db_user = copy_string(event->common.db_user);
        c->template_message = static_cast<text*>(copy_varlena(event->common.template_message));
        c->values_json = static_cast<Jsonb*>(copy_varlena(event->common.values_json));
        c->context = static_cast<Jsonb*>(copy_varlena(event->common.context));
        MemoryContextSwitchTo(old);
        g->open = true;
    }
    event_batch_add(&g->batch, event->object_id, event->message, event->changes);
}

/// A decoded change that could not become an event.
void record_failure(Oid ns, const CapturedFailure* f) {
    const char* sql = psprintf(
        "INSERT INTO %s.eventlog_capture_errors (lsn, transaction_id, object_table, object_type, action, sqlstate, "
        "error) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        quote_identifier(get_namespace_name(ns)));
    Oid types[7] = {LSNOID, XID8OID, OIDOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
    Datum values[7] = {LSNGetDatum(f->lsn),
                       FullTransactionIdGetDatum(f->transaction_id),
                       ObjectIdGetDatum(f->table),
                       f->object_type ? CStringGetTextDatum(f->object_type) : (Datum) 0,
                       CStringGetTextDatum(f->action),
                       CStringGetTextDatum(f->sqlstate),
                       CStringGetTextDatum(f->error)};
    char nulls[7] = {' ', ' ', ' ', f->object_type ? ' ' : 'n', ' ', ' ', ' '};
    Oid table = get_relname_relid("eventlog_capture_errors", ns);
    if (!OidIsValid(table)) elog(ERROR, "eventlog: table eventlog_capture_errors is missing");
    SavedUser saved = become_table_owner(table);
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "eventlog: SPI_connect failed");
    int rc = SPI_execute_with_args(sql, 7, types, values, nulls, false, 0);
    if (rc != SPI_OK_INSERT)
        elog(ERROR, "eventlog: recording a capture failure failed: %s", SPI_result_code_string(rc));
    SPI_finish();
    restore_user(saved);
}

/// The events of a group that could not be written, one failure row each
/// (the event itself kept as JSON), with the owner's rights.
void record_failed_events(Oid ns, const Group* g, int sqlstate, const char* error) {
    const EventBatch* b = &g->batch;
    const char* sql = psprintf(
        "INSERT INTO %s.eventlog_capture_errors (lsn, transaction_id, object_table, object_type, action, sqlstate, "
        "error, event) SELECT $1, $2, $3, $4, $5, $6, $7, pg_catalog.jsonb_build_object('timestamp', $8::timestamptz, "
        "'actor', $9::text, 'actor_id', $10::text, 'tool', $11::text, 'db_user', $12::text, 'context', $13::jsonb, "
        "'object_id', e.object_id, 'message', e.message, 'changes', e.changes) "
        "FROM ROWS FROM (pg_catalog.unnest($14::text[]), pg_catalog.unnest($15::text[]), "
        "pg_catalog.unnest($16::jsonb[])) AS e(object_id, message, changes)",
        quote_identifier(get_namespace_name(ns)));
    const EventCommon* c = &b->common;
    int dims[1] = {b->n};
    int lbs[1] = {1};
    Oid types[16] = {LSNOID,  XID8OID, OIDOID,  TEXTOID, TEXTOID,  TEXTOID,      TEXTOID,      TIMESTAMPTZOID,
                     TEXTOID, TEXTOID, TEXTOID, TEXTOID, JSONBOID, TEXTARRAYOID, TEXTARRAYOID, JSONBARRAYOID};
    Datum values[16];
    char nulls[16];
    for (int i = 0; i < 16; i++) nulls[i] = ' ';
    auto text_or_null = [&](int i, const char* s) {
        values[i] = s != nullptr ? CStringGetTextDatum(s) : (Datum) 0;
        nulls[i] = s != nullptr ? ' ' : 'n';
    };
    values[0] = LSNGetDatum(g->end_lsn);
    nulls[0] = g->end_lsn == InvalidXLogRecPtr ? 'n' : ' ';
    values[1] = FullTransactionIdGetDatum(c->transaction_id);
    values[2] = ObjectIdGetDatum(c->object_table);
    text_or_null(3, c->object_type);
    text_or_null(4, c->action);
    text_or_null(5, unpack_sql_state(sqlstate));
    text_or_null(6, error);
    values[7] = TimestampTzGetDatum(c->timestamp);
    text_or_null(8, c->actor);
    text_or_null(9, c->actor_id);
    text_or_null(10, c->tool);
    text_or_null(11, c->db_user);
    values[12] = PointerGetDatum(c->context);
    nulls[12] = c->context != nullptr ? ' ' : 'n';
    values[13] = PointerGetDatum(
        construct_md_array(b->object_ids, b->object_id_nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
    values[14] = PointerGetDatum(construct_array(b->messages, b->n, TEXTOID, -1, false, TYPALIGN_INT));
    values[15] = PointerGetDatum(
        construct_md_array(b->changes, b->changes_nulls, 1, dims, lbs, JSONBOID, -1, false, TYPALIGN_INT));
    Oid table = get_relname_relid("eventlog_capture_errors", ns);
    if (!OidIsValid(table)) elog(ERROR, "eventlog: table eventlog_capture_errors is missing");
    SavedUser saved = become_table_owner(table);
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "eventlog: SPI_connect failed");
    int rc = SPI_execute_with_args(sql, 16, types, values, nulls, false, 0);
    if (rc != SPI_OK_INSERT) elog(ERROR, "eventlog: recording capture failures failed: %s", SPI_result_code_string(rc));
    SPI_finish();
    restore_user(saved);
}

/// The progress row eventlog_capture_status shows.
void record_progress(Oid ns, const CaptureProgress* p) {
    Oid table = get_relname_relid("eventlog_capture_progress", ns);
    if (!OidIsValid(table)) return;
    const char* sql = psprintf(
        "UPDATE %s.eventlog_capture_progress SET applied_lsn = $1, applied_commit_time = $2, "
        "applied_at = pg_catalog.now(), events = events + $3, failures = failures + $4",
        quote_identifier(get_namespace_name(ns)));
    Oid types[4] = {LSNOID, TIMESTAMPTZOID, INT8OID, INT8OID};
    Datum values[4] = {LSNGetDatum(p->end_lsn), TimestampTzGetDatum(p->commit_time), Int64GetDatum(p->events),
                       Int64GetDatum(p->failures)};
    SavedUser saved = become_table_owner(table);
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "eventlog: SPI_connect failed");
    int rc = SPI_execute_with_args(sql, 4, types, values, nullptr, false, 0);
    if (rc != SPI_OK_UPDATE) elog(ERROR, "eventlog: recording capture progress failed: %s", SPI_result_code_string(rc));
    SPI_finish();
    restore_user(saved);
}

/// How the records are written: all at once, or each group in a
/// subtransaction of its own with its failures recorded (after the first
/// way failed).
enum class Mode { AllAtOnce, GroupByGroup };

/// Writes one group, in the mode given.
void flush_group(Oid ns, Group* g, CaptureProgress* progress, Mode mode);

/// One pass over the buffer's records.
void apply_records(Oid ns, CaptureBuffer* buffer, Mode mode, CaptureProgress* progress) {
    Group g = {};
    event_batch_init(&g.batch, ns, CurrentMemoryContext);
    g.common_memory = AllocSetContextCreate(CurrentMemoryContext, "eventlog capture group", ALLOCSET_SMALL_SIZES);
    MemoryContext record_memory =
        AllocSetContextCreate(CurrentMemoryContext, "eventlog capture record", ALLOCSET_DEFAULT_SIZES);
    TupleTableSlot* slot = MakeSingleTupleTableSlot(buffer->descriptor, &TTSOpsMinimalTuple);
    tuplestore_rescan(buffer->records);
    while (tuplestore_gettupleslot(buffer->records, true, false, slot)) {
        CHECK_FOR_INTERRUPTS();
        MemoryContext old = MemoryContextSwitchTo(record_memory);
        bool isnull;
        bytea* record = DatumGetByteaPP(slot_getattr(slot, 1, &isnull));
        const char* data = VARDATA_ANY(record);
        Size size = VARSIZE_ANY_EXHDR(record);
        switch (captured_kind(data, size)) {
            case static_cast<char>(CapturedKind::Event): {
                CapturedEvent event;
                if (!get_captured_event(data, size, &event)) elog(ERROR, "eventlog: a malformed captured event");
                if (g.open && (event_batch_full(&g.batch) || !same_common(&g.batch.common, &event.common)))
                    flush_group(ns, &g, progress, mode);
                add_to_group(&g, &event);
                break;
            }
            case static_cast<char>(CapturedKind::Failure): {
                CapturedFailure failure;
                if (!get_captured_failure(data, size, &failure)) elog(ERROR, "eventlog: a malformed captured failure");
                flush_group(ns, &g, progress, mode);
                record_failure(ns, &failure);
                progress->failures++;
                break;
            }
            case static_cast<char>(CapturedKind::End): {
                CapturedEnd end;
                if (!get_captured_end(data, size, &end)) elog(ERROR, "eventlog: a malformed captured commit");
                g.end_lsn = end.end_lsn;
                flush_group(ns, &g, progress, mode);
                progress->end_lsn = end.end_lsn;
                progress->commit_time = end.commit_time;
                g.end_lsn = InvalidXLogRecPtr;
                break;
            }
            default: elog(ERROR, "eventlog: an unknown captured record");
        }
        MemoryContextSwitchTo(old);
        MemoryContextReset(record_memory);
    }
    flush_group(ns, &g, progress, mode);
    ExecDropSingleTupleTableSlot(slot);
    MemoryContextDelete(record_memory);
    event_batch_free(&g.batch);
    MemoryContextDelete(g.common_memory);
}

}  // namespace

// --- The two modes (rich C++: subtransactions, errors caught) -----------------

namespace {

void flush_group(Oid ns, Group* g, CaptureProgress* progress, Mode mode) {
    if (mode == Mode::AllAtOnce || !g->open) {
        write_group(g, progress);
        return;
    }
    in_subtransaction(
        CurrentMemoryContext, [&] { write_group(g, progress); },
        [&](int sqlstate, const char* message) {
            pg_call([&] {
                record_failed_events(ns, g, sqlstate, message);
                progress->failures += g->batch.n;
                event_batch_clear(&g->batch);
                g->open = false;
                MemoryContextReset(g->common_memory);
            });
        });
}

}  // namespace

CaptureBuffer* capture_buffer_create(MemoryContext memory) {
    MemoryContext old = MemoryContextSwitchTo(memory);
    CaptureBuffer* buffer = static_cast<CaptureBuffer*>(palloc0(sizeof(CaptureBuffer)));
    buffer->memory = memory;
    buffer->descriptor = CreateTemplateTupleDesc(1);
    // (text: a varlena like bytea, which TupleDescInitBuiltinEntry does not know)
    TupleDescInitBuiltinEntry(buffer->descriptor, 1, "record", TEXTOID, -1, 0);
    finalize_tuple_desc(buffer->descriptor);
    // interXact: the worker's buffer outlives transactions (its temporary
    // files belong to no transaction's resource owner, but to one of the
    // buffer's own).
    ResourceOwner owner = CurrentResourceOwner;
    CurrentResourceOwner = ResourceOwnerCreate(nullptr, "eventlog capture buffer");
    buffer->records = tuplestore_begin_heap(false, true, work_mem);
    CurrentResourceOwner = owner;
    MemoryContextSwitchTo(old);
    return buffer;
}

int64 capture_buffer_transactions(const CaptureBuffer* buffer) { return buffer->transactions; }
int64 capture_buffer_events(const CaptureBuffer* buffer) { return buffer->events; }
TimestampTz capture_buffer_since(const CaptureBuffer* buffer) { return buffer->since; }

LogicalDecodingContext* capture_decoding_start(XLogRecPtr start, const XLogReaderRoutine* routine,
                                               CaptureBuffer* buffer, OriginId skip_origin) {
    List* options = NIL;
    if (skip_origin != kInvalidOriginId)
        options = list_make1(
            makeDefElem(pstrdup("skip_origin"), reinterpret_cast<Node*>(makeString(psprintf("%u", skip_origin))), -1));
    LogicalDecodingContext* ctx = CreateDecodingContext(start, options, false, const_cast<XLogReaderRoutine*>(routine),
                                                        prepare_write, collect, nullptr);
    ctx->output_writer_private = buffer;
    XLogBeginRead(ctx->reader, MyReplicationSlot->data.restart_lsn);
    return ctx;
}

void capture_buffer_free(CaptureBuffer* buffer) { tuplestore_end(buffer->records); }

namespace {

/// Count folds deferred while a buffer is applied (one fold at its end, not
/// one per 512 groups written), whatever way the applying ends.
struct DeferredCountFolds {
    DeferredCountFolds() { defer_count_folds(true); }
    ~DeferredCountFolds() { defer_count_folds(false); }
    DeferredCountFolds(const DeferredCountFolds&) = delete;
    DeferredCountFolds& operator=(const DeferredCountFolds&) = delete;
};

/// The count deltas of a buffer applied all at once, summed per key (one
/// row per key, not one per transaction applied); never left open, whatever
/// way the applying ends (discarded when it fails: its events rolled back).
struct BatchedCountDeltas {
    BatchedCountDeltas() = default;
    ~BatchedCountDeltas() { discard_count_delta_batch(); }
    BatchedCountDeltas(const BatchedCountDeltas&) = delete;
    BatchedCountDeltas& operator=(const BatchedCountDeltas&) = delete;
};

}  // namespace

void capture_apply_buffer(Oid ns, OriginId origin, CaptureBuffer* buffer, CaptureProgress* out) {
    *out = CaptureProgress{};
    if (buffer->transactions == 0 && buffer->events == 0) return;
    DeferredCountFolds deferred;
    CaptureProgress* progress = out;
    bool written;
    {
        BatchedCountDeltas batched;
        written = in_subtransaction(
            CurrentMemoryContext,
            [&] {
                begin_count_delta_batch();
                apply_records(ns, buffer, Mode::AllAtOnce, progress);
                write_count_delta_batch();
            },
            [](int, const char*) {});
    }
    if (!written) {
        *out = CaptureProgress{};
        pg_call([&] { apply_records(ns, buffer, Mode::GroupByGroup, progress); });
    }
    pg_call([&] {
        fold_count_deltas_if_due(ns);
        if (progress->end_lsn != InvalidXLogRecPtr) {
            record_progress(ns, progress);
            origin_set_for_commit(origin, progress->end_lsn, progress->commit_time);
        }
        tuplestore_clear(buffer->records);
        buffer->transactions = 0;
        buffer->events = 0;
        buffer->since = 0;
    });
}

Oid eventlog_schema() {
    Relation catalog = table_open(ExtensionRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ, CStringGetDatum("eventlog"));
    SysScanDesc scan = systable_beginscan(catalog, ExtensionNameIndexId, true, nullptr, 1, &key);
    HeapTuple tuple = systable_getnext(scan);
    Oid schema =
        HeapTupleIsValid(tuple) ? reinterpret_cast<Form_pg_extension>(GETSTRUCT(tuple))->extnamespace : InvalidOid;
    systable_endscan(scan);
    table_close(catalog, AccessShareLock);
    return schema;
}

}  // namespace eventlog::pg
