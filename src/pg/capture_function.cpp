// The SQL side of WAL capture:
//   eventlog_capture_apply()          applies what is pending, in the caller's transaction
//   eventlog_capture_wait(timeout)    waits until what committed before the call is in the log
//   eventlog_capture_start()          makes the database's slot and origin (eventlog_track)
//   eventlog_capture_stop()           drops them at commit when no WAL-tracked table remains
//   eventlog_capture_worker_state()   the worker's shared state, for eventlog_capture_status
//   eventlog_capture_on_drop()        event trigger: DROP EXTENSION eventlog drops them too
#include <cstring>

#include "pg/boundary.hpp"
#include "pg/capture_apply.hpp"
#include "pg/capture_worker.hpp"
#include "pg/pg_compat.hpp"
#include "pg/postgres.hpp"
#include "pg/wal_capture.hpp"

namespace eventlog::pg {

namespace {

// --- The origin of this session, for the transactions that apply ------------

/// Set up by eventlog_capture_apply in this transaction, reset at its end.
bool session_origin_set = false;
/// Set when this transaction applied events: the position its commit
/// carries is not committed yet.
bool applied_in_transaction = false;
/// The slot stays acquired by this session until its transaction ends
/// (with the origin): the worker, which waits for a free slot, then finds
/// the origin free too.
bool slot_held_until_end = false;
/// Drop the capture slot and origin when this transaction commits.
bool stop_at_commit = false;
/// This transaction made the capture slot: a slot is not transactional, so
/// it goes again when the transaction aborts (the origin, a catalog row,
/// goes by itself).
bool slot_made_in_transaction = false;
bool callback_registered = false;

void run_sql_as_superuser(const char* sql, int nargs, Oid* types, Datum* values) {
    Oid user;
    int context;
    GetUserIdAndSecContext(&user, &context);
    SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID, context | SECURITY_LOCAL_USERID_CHANGE);
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "eventlog: SPI_connect failed");
    int rc = SPI_execute_with_args(sql, nargs, types, values, nullptr, false, 0);
    if (rc < 0) elog(ERROR, "eventlog: %s failed: %s", sql, SPI_result_code_string(rc));
    SPI_finish();
    SetUserIdAndSecContext(user, context);
}

/// Stops the worker, drops the slot and the origin (all when they exist).
void drop_capture(Oid database) {
    char name[NAMEDATALEN];
    capture_slot_name(database, name);
    // This session lets go of the origin and the slot first
    // (eventlog_capture_apply in this transaction took them).
    if (session_origin_set) {
        session_origin_set = false;
        origin_set_for_commit(kInvalidOriginId, InvalidXLogRecPtr, 0);
        replorigin_session_reset();
    }
    if (slot_held_until_end) {
        slot_held_until_end = false;
        if (MyReplicationSlot != nullptr) ReplicationSlotRelease();
    }
    capture_worker_stop(database);
    // (waiting for whoever still holds them to let go: the worker exiting)
    if (SearchNamedReplicationSlot(name, true) != nullptr) ReplicationSlotDrop(name, false);
    replorigin_drop_by_name(name, true, false);
}

void end_of_transaction(XactEvent event, void*) {
    if (event == XACT_EVENT_PRE_COMMIT && stop_at_commit) {
        stop_at_commit = false;
        drop_capture(MyDatabaseId);
    }
    if ((event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) && slot_made_in_transaction) {
        char name[NAMEDATALEN];
        capture_slot_name(MyDatabaseId, name);
        if (SearchNamedReplicationSlot(name, true) != nullptr && MyReplicationSlot == nullptr)
            ReplicationSlotDrop(name, true);
    }
    if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_COMMIT ||
        event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_PREPARE) {
        stop_at_commit = false;
        slot_made_in_transaction = false;
        applied_in_transaction = false;
        if (session_origin_set) {
            session_origin_set = false;
            origin_set_for_commit(kInvalidOriginId, InvalidXLogRecPtr, 0);
            replorigin_session_reset();
        }
        if (slot_held_until_end) {
            slot_held_until_end = false;
            if (MyReplicationSlot != nullptr) ReplicationSlotRelease();
        }
    }
}

void register_callback() {
    if (callback_registered) return;
    RegisterXactCallback([](XactEvent event, void* arg) { guarded([&] { end_of_transaction(event, arg); }); }, nullptr);
    callback_registered = true;
}

// --- Applying in this transaction ---------------------------------------------

/// PostgreSQL-style: decodes the acquired slot from `start` up to
/// `end_of_wal` into `buffer`, confirms the slot up to what is committed
/// (`confirm`; all that was read when nothing of it waits to be applied),
/// releases the slot; returns the position read up to.
XLogRecPtr decode_slot(XLogRecPtr start, XLogRecPtr end_of_wal, CaptureBuffer* buffer, XLogRecPtr confirm) {
    static XLogReaderRoutine routine = {};
    routine.page_read = read_local_xlog_page;
    routine.segment_open = wal_segment_open;
    routine.segment_close = wal_segment_close;
    LogicalDecodingContext* ctx = capture_decoding_start(start, &routine, buffer, kInvalidOriginId);
    InvalidateSystemCaches();
    while (ctx->reader->EndRecPtr < end_of_wal) {
        char* error = nullptr;
        XLogRecord* record = XLogReadRecord(ctx->reader, &error);
        if (error != nullptr) elog(ERROR, "eventlog: could not read WAL for capture: %s", error);
        if (record != nullptr) LogicalDecodingProcessRecord(ctx, ctx->reader);
        CHECK_FOR_INTERRUPTS();
    }
    XLogRecPtr read_to = ctx->reader->EndRecPtr;
    XLogRecPtr to = capture_buffer_events(buffer) == 0 && !applied_in_transaction ? read_to : confirm;
    if (to != InvalidXLogRecPtr) LogicalConfirmReceivedLocation(to);
    FreeDecodingContext(ctx);
    InvalidateSystemCaches();
    return read_to;
}

/// PostgreSQL-style: whether a process has the slot acquired.
bool slot_held(const char* name) {
    ReplicationSlot* s = SearchNamedReplicationSlot(name, true);
    if (s == nullptr) return false;
    SpinLockAcquire(&s->mutex);
    bool held = slot_in_use(s);
    SpinLockRelease(&s->mutex);
    return held;
}

/// Decodes the slot up to the current end of the WAL into `buffer`, from
/// `start`; returns the position read up to.
XLogRecPtr decode_pending(const char* slot, XLogRecPtr start, CaptureBuffer* buffer, XLogRecPtr confirm) {
    XLogRecPtr end_of_wal = GetFlushRecPtr(nullptr);
    pg_call([&] {
        allow_eventlog_plugin(true);
        // Another session applying holds the slot for a moment: wait for it
        // (the worker, which holds it for good, was waited for instead).
        if (!slot_held_until_end) slot_acquire(slot, !slot_held(slot));
        slot_held_until_end = true;
    });
    // Decoding replays each transaction in a subtransaction of this one,
    // and leaves the transaction's resource owner current after it: the
    // statement's own is put back.
    ResourceOwner owner = CurrentResourceOwner;
    XLogRecPtr read_to = InvalidXLogRecPtr;
    try {
        read_to = pg_call([&] { return decode_slot(start, end_of_wal, buffer, confirm); });
    } catch (...) {
        CurrentResourceOwner = owner;
        pg_call([] { InvalidateSystemCaches(); });
        throw;
    }
    CurrentResourceOwner = owner;
    return read_to;
}

/// PostgreSQL-style: one applier at a time, until the end of its
/// transaction (another one reads the position this one's commit records).
void lock_applying(Oid schema) {
    Oid progress = get_relname_relid("eventlog_capture_progress", schema);
    if (!OidIsValid(progress)) elog(ERROR, "eventlog: table eventlog_capture_progress is missing");
    LockRelationOid(progress, ExclusiveLock);
    register_callback();
}

/// Applies what is pending now; returns the number of events written.
int64 apply_pending() {
    char slot[NAMEDATALEN];
    capture_slot_name(MyDatabaseId, slot);
    Oid schema = pg_call([] { return eventlog_schema(); });
    if (!OidIsValid(schema) || !pg_call([] { return capture_slot_exists(MyDatabaseId); })) return 0;
    pg_call([&] { lock_applying(schema); });
    OriginId origin = pg_call([&] { return replorigin_by_name(slot, false); });
    XLogRecPtr committed = pg_call([&] { return replorigin_get_progress(origin, false); });
    XLogRecPtr start = committed;
    if (!session_origin_set) {
        pg_call([&] { origin_session_setup(origin); });
        session_origin_set = true;
    }
    if (applied_in_transaction) start = pg_call([] { return replorigin_session_get_progress(false); });
    // What is committed but not flushed yet (synchronous_commit off) is
    // made readable.
    pg_call([] { XLogFlush(GetXLogInsertRecPtr()); });
    CaptureBuffer* buffer = pg_call([] { return capture_buffer_create(CurrentMemoryContext); });
    decode_pending(slot, start, buffer, committed);
    CaptureProgress progress;
    capture_apply_buffer(schema, origin, buffer, &progress);
    pg_call([&] { capture_buffer_free(buffer); });
    if (progress.events > 0 || progress.failures > 0) applied_in_transaction = true;
    return progress.events;
}

bool worker_running() { return capture_worker_pid(MyDatabaseId) != 0; }

/// Waits until the worker has applied every commit before `target`; false
/// after `timeout_ms` (negative: no limit).
bool wait_for_worker(XLogRecPtr target, int64 timeout_ms) {
    TimestampTz until = GetCurrentTimestamp() + timeout_ms * 1000;
    for (;;) {
        if (capture_worker_scanned(MyDatabaseId) >= target) return true;
        if (!worker_running()) return false;
        if (timeout_ms >= 0 && GetCurrentTimestamp() >= until) return false;
        (void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 5, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
    }
}

XLogRecPtr flushed_now() {
    XLogRecPtr target = GetXLogInsertRecPtr();
    XLogFlush(target);
    return target;
}

Datum capture_apply(FunctionCallInfo) {
    if (pg_call([] { return worker_running(); })) {
        // The worker holds the slot: it applies, this call waits for it.
        int64 before = capture_worker_events(MyDatabaseId);
        XLogRecPtr target = pg_call([] { return flushed_now(); });
        if (pg_call([&] { return wait_for_worker(target, -1); }))
            return Int64GetDatum(capture_worker_events(MyDatabaseId) - before);
    }
    return Int64GetDatum(apply_pending());
}

Datum capture_wait(FunctionCallInfo fcinfo) {
    Interval* timeout = PG_ARGISNULL(0) ? nullptr : PG_GETARG_INTERVAL_P(0);
    int64 timeout_ms = -1;
    if (timeout != nullptr) {
        double seconds = pg_call([&] {
            return DatumGetFloat8(
                DirectFunctionCall2(interval_part, CStringGetTextDatum("epoch"), IntervalPGetDatum(timeout)));
        });
        timeout_ms = seconds <= 0 ? 0 : static_cast<int64>(seconds * 1000);
    }
    XLogRecPtr target = pg_call([] { return flushed_now(); });
    if (pg_call([] { return worker_running(); })) {
        if (pg_call([&] { return wait_for_worker(target, timeout_ms); })) return BoolGetDatum(true);
        if (pg_call([] { return worker_running(); })) return BoolGetDatum(false);
    }
    apply_pending();
    return BoolGetDatum(true);
}

/// PostgreSQL-style: the slot and origin of this database's capture.
Datum capture_start(FunctionCallInfo fcinfo) {
    Oid target = PG_GETARG_OID(0);
    if (!owns_relation(target))
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                        errmsg("eventlog_capture_start: must be owner of table %s", get_rel_name(target))));
    check_logical_decoding_requirements();
    char name[NAMEDATALEN];
    capture_slot_name(MyDatabaseId, name);
    Oid types[1] = {TEXTOID};
    Datum values[1] = {CStringGetTextDatum(name)};
    if (!capture_slot_exists(MyDatabaseId)) {
        if (FullTransactionIdIsValid(GetTopFullTransactionIdIfAny()))
            ereport(ERROR,
                    (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                     errmsg("eventlog: the capture slot of this database cannot be made in a transaction that has "
                            "already written"),
                     errdetail("WAL capture needs a logical replication slot, made once per database; PostgreSQL "
                               "makes one only before a transaction writes anything."),
                     errhint("Call eventlog_track(..., capture => 'wal') at the start of a transaction (or run "
                             "SELECT eventlog_capture_start('%s'); on its own first).",
                             quote_qualified_identifier(get_namespace_name(get_rel_namespace(target)),
                                                        get_rel_name(target)))));
        allow_eventlog_plugin(true);
        register_callback();
        slot_made_in_transaction = true;
        run_sql_as_superuser(kSlotsCanFailover
                                 ? "SELECT pg_catalog.pg_create_logical_replication_slot($1::pg_catalog.name, "
                                   "'eventlog', failover => true)"
                                 : "SELECT pg_catalog.pg_create_logical_replication_slot($1::pg_catalog.name, "
                                   "'eventlog')",
                             1, types, values);
    }
    // (origins of databases dropped without the preload's DROP DATABASE hook)
    run_sql_as_superuser(
        "SELECT pg_catalog.pg_replication_origin_drop(roname) FROM pg_catalog.pg_replication_origin "
        "WHERE roname OPERATOR(pg_catalog.~) '^eventlog_[0-9]+$' AND pg_catalog.substr(roname, 10)::pg_catalog.oid "
        "OPERATOR(pg_catalog.<>) ALL (SELECT oid FROM pg_catalog.pg_database)",
        0, nullptr, nullptr);
    run_sql_as_superuser(
        "SELECT pg_catalog.pg_replication_origin_create($1) WHERE NOT EXISTS "
        "(SELECT FROM pg_catalog.pg_replication_origin WHERE roname OPERATOR(pg_catalog.=) $1)",
        1, types, values);
    stop_at_commit = false;
    capture_worker_allow(MyDatabaseId);
    PG_RETURN_TEXT_P(cstring_to_text(name));
}

/// PostgreSQL-style: drop the slot and origin when this transaction
/// commits, if no WAL-tracked table remains then (tracking one later in the
/// transaction takes that back).
Datum capture_stop(FunctionCallInfo) {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "eventlog: SPI_connect failed");
    int rc = SPI_execute(
        "SELECT FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) t.tgfoid "
        "WHERE t.tgname OPERATOR(pg_catalog.=) 'eventlog_capture_wal' "
        "AND p.proname OPERATOR(pg_catalog.=) 'eventlog_capture_context' LIMIT 1",
        true, 1);
    if (rc != SPI_OK_SELECT) elog(ERROR, "eventlog: looking for WAL-tracked tables failed");
    bool tables_left = SPI_processed > 0;
    SPI_finish();
    if (tables_left) PG_RETURN_BOOL(false);
    register_callback();
    stop_at_commit = true;
    PG_RETURN_BOOL(true);
}

/// PostgreSQL-style: the worker's shared state.
Datum capture_worker_state(FunctionCallInfo fcinfo) {
    TupleDesc descriptor;
    if (get_call_result_type(fcinfo, nullptr, &descriptor) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "eventlog_capture_worker_state: return type must be a row type");
    descriptor = BlessTupleDesc(descriptor);
    Datum values[5];
    bool nulls[5] = {false, false, false, true, true};
    int pid = capture_worker_pid(MyDatabaseId);
    values[0] = Int32GetDatum(pid);
    nulls[0] = pid == 0;
    values[1] = Int64GetDatum(capture_worker_events(MyDatabaseId));
    XLogRecPtr scanned = capture_worker_scanned(MyDatabaseId);
    values[2] = LSNGetDatum(scanned);
    nulls[2] = scanned == InvalidXLogRecPtr;
    char error[256];
    TimestampTz at;
    if (capture_worker_error(MyDatabaseId, error, sizeof(error), &at)) {
        values[3] = CStringGetTextDatum(error);
        values[4] = TimestampTzGetDatum(at);
        nulls[3] = nulls[4] = false;
    }
    return HeapTupleGetDatum(heap_form_tuple(descriptor, values, nulls));
}

/// PostgreSQL-style: DROP EXTENSION eventlog drops the capture with it.
Datum capture_on_drop(FunctionCallInfo fcinfo) {
    if (!CALLED_AS_EVENT_TRIGGER(fcinfo)) elog(ERROR, "eventlog_capture_on_drop: not fired by an event trigger");
    EventTriggerData* trigger = reinterpret_cast<EventTriggerData*>(fcinfo->context);
    Node* tree = trigger->parsetree;
    if (tree != nullptr && IsA(tree, DropStmt) && castNode(DropStmt, tree)->removeType == OBJECT_EXTENSION) {
        ListCell* cell;
        foreach (cell, castNode(DropStmt, tree)->objects) {
            Node* object = static_cast<Node*>(lfirst(cell));
            if (IsA(object, String) && std::strcmp(strVal(object), "eventlog") == 0) {
                register_callback();
                stop_at_commit = true;
            }
        }
    }
    PG_RETURN_VOID();
}

}  // namespace
}  // namespace eventlog::pg

EVENTLOG_SQL_FUNCTION(eventlog_capture_apply, eventlog::pg::capture_apply)
EVENTLOG_SQL_FUNCTION(eventlog_capture_wait, eventlog::pg::capture_wait)
EVENTLOG_SQL_FUNCTION(eventlog_capture_start, eventlog::pg::capture_start)
EVENTLOG_SQL_FUNCTION(eventlog_capture_stop, eventlog::pg::capture_stop)
EVENTLOG_SQL_FUNCTION(eventlog_capture_worker_state, eventlog::pg::capture_worker_state)
EVENTLOG_SQL_FUNCTION(eventlog_capture_on_drop, eventlog::pg::capture_on_drop)
