// The launcher and the applying workers of WAL capture (capture_worker.hpp).
//
// The launcher (a static background worker, no database) wakes every
// second, lists the replication slots named eventlog_<database oid> that
// use this plugin, and starts a worker for each database that has none
// (unless eventlog.capture_worker is off, or the database's capture is
// being stopped). A worker connects to its database, acquires the slot,
// sets up the capture's replication origin, and decodes from where the
// origin (or the slot, when further) says: it keeps one decoding context
// for its whole life. Decoded records are buffered; they are applied in a
// transaction of the worker's when the WAL runs dry for a moment, when
// 10,000 events wait, or 100 ms after the oldest waiting record. The
// transaction carries the origin from its start, so that the decoder
// skips the worker's own writes unread. After each commit the slot is
// confirmed up to the position read: every commit before it is applied.
//
// Rich C++ at the entry points (the error of a dying worker is recorded
// in shared memory); the loop itself is PostgreSQL-style.
#include <cstring>

#include "pg/boundary.hpp"
#include "pg/capture_apply.hpp"
#include "pg/capture_worker.hpp"
#include "pg/pg_compat.hpp"
#include "pg/wal_capture.hpp"

namespace eventlog::pg {

bool capture_worker_enabled = true;
int capture_max_lag_kb = 0;

namespace {

constexpr int kMaxWorkers = 32;
constexpr int kApplyEvents = 10000;
constexpr long kApplyAfterMs = 100;
constexpr int kIdleWaitMs = 10;
constexpr long kMaxLagWaitMs = 10000;

struct WorkerState {
    Oid database;  // InvalidOid: a free entry
    int pid;
    TimestampTz suppress_until;  // the launcher starts no worker before then
    XLogRecPtr scanned;
    int64 events;
    TimestampTz error_at;
    char error[256];
};

struct CaptureShared {
    slock_t mutex;
    int launcher_pid;
    WorkerState workers[kMaxWorkers];
};

CaptureShared* shared = nullptr;
shmem_request_hook_type previous_shmem_request = nullptr;
shmem_startup_hook_type previous_shmem_startup = nullptr;
ProcessUtility_hook_type previous_process_utility = nullptr;

void request_shmem() {
    if (previous_shmem_request != nullptr) previous_shmem_request();
    RequestAddinShmemSpace(sizeof(CaptureShared));
}

void startup_shmem() {
    if (previous_shmem_startup != nullptr) previous_shmem_startup();
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    bool found;
    shared = static_cast<CaptureShared*>(ShmemInitStruct("eventlog capture", sizeof(CaptureShared), &found));
    if (!found) {
        std::memset(shared, 0, sizeof(CaptureShared));
        SpinLockInit(&shared->mutex);
    }
    LWLockRelease(AddinShmemInitLock);
}

/// The entry of `database` (created when `create`), or nullptr. The caller
/// holds the mutex.
WorkerState* entry_for(Oid database, bool create) {
    WorkerState* free_entry = nullptr;
    for (int i = 0; i < kMaxWorkers; i++) {
        WorkerState* w = &shared->workers[i];
        if (w->database == database) return w;
        if (w->database == InvalidOid && free_entry == nullptr) free_entry = w;
    }
    if (!create || free_entry == nullptr) return nullptr;
    std::memset(free_entry, 0, sizeof(WorkerState));
    free_entry->database = database;
    return free_entry;
}

// --- The launcher -------------------------------------------------------------

/// The databases with a capture slot (at most kMaxWorkers).
int capture_databases(Oid* out) {
    int n = 0;
    LWLockAcquire(ReplicationSlotControlLock, LW_SHARED);
    for (int i = 0; i < max_replication_slots && n < kMaxWorkers; i++) {
        ReplicationSlot* s = &ReplicationSlotCtl->replication_slots[i];
        if (!s->in_use || !SlotIsLogical(s) || std::strcmp(NameStr(s->data.plugin), "eventlog") != 0) continue;
        char expected[NAMEDATALEN];
        capture_slot_name(s->data.database, expected);
        if (std::strcmp(NameStr(s->data.name), expected) == 0) out[n++] = s->data.database;
    }
    LWLockRelease(ReplicationSlotControlLock);
    return n;
}

struct Started {
    Oid database;
    BackgroundWorkerHandle* handle;
    TimestampTz at;
};

void start_worker(Oid database, Started* started) {
    BackgroundWorker worker = {};
    snprintf(worker.bgw_name, BGW_MAXLEN, "eventlog capture worker for database %u", database);
    snprintf(worker.bgw_type, BGW_MAXLEN, "eventlog capture worker");
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = BGW_NEVER_RESTART;
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "eventlog");
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "eventlog_capture_worker_main");
    worker.bgw_main_arg = ObjectIdGetDatum(database);
    worker.bgw_notify_pid = MyProcPid;
    BackgroundWorkerHandle* handle;
    if (!RegisterDynamicBackgroundWorker(&worker, &handle)) {
        ereport(WARNING, (errmsg("eventlog: could not start the capture worker for database %u", database),
                          errhint("Raise max_worker_processes.")));
        return;
    }
    started->database = database;
    started->handle = handle;
    started->at = GetCurrentTimestamp();
}

void launcher_loop() {
    Started started[kMaxWorkers] = {};
    for (;;) {
        CHECK_FOR_INTERRUPTS();
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            ProcessConfigFile(PGC_SIGHUP);
        }
        // Forget workers that have exited.
        for (int i = 0; i < kMaxWorkers; i++) {
            if (started[i].handle == nullptr) continue;
            pid_t pid;
            if (GetBackgroundWorkerPid(started[i].handle, &pid) == BGWH_STOPPED) {
                // One that died soon after it started waits a little.
                if (GetCurrentTimestamp() - started[i].at < 10 * USECS_PER_SEC) {
                    SpinLockAcquire(&shared->mutex);
                    WorkerState* w = entry_for(started[i].database, true);
                    if (w != nullptr && w->suppress_until < GetCurrentTimestamp() + 5 * USECS_PER_SEC)
                        w->suppress_until = GetCurrentTimestamp() + 5 * USECS_PER_SEC;
                    SpinLockRelease(&shared->mutex);
                }
                pfree(started[i].handle);
                started[i] = Started{};
            }
        }
        if (capture_worker_enabled) {
            Oid databases[kMaxWorkers];
            int n = capture_databases(databases);
            for (int k = 0; k < n; k++) {
                bool running = false;
                int free_index = -1;
                for (int i = 0; i < kMaxWorkers; i++) {
                    if (started[i].handle != nullptr && started[i].database == databases[k]) running = true;
                    if (started[i].handle == nullptr && free_index < 0) free_index = i;
                }
                if (running || free_index < 0) continue;
                SpinLockAcquire(&shared->mutex);
                WorkerState* w = entry_for(databases[k], true);
                bool suppressed = w == nullptr || w->suppress_until > GetCurrentTimestamp() || w->pid != 0;
                SpinLockRelease(&shared->mutex);
                if (!suppressed) start_worker(databases[k], &started[free_index]);
            }
        }
        (void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1000, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
    }
}

// --- A worker -----------------------------------------------------------------

struct Worker {
    Oid database;
    char slot[NAMEDATALEN];
    Oid schema;
    OriginId origin;
    CaptureBuffer* buffer;
    LogicalDecodingContext* ctx;
    TimestampTz checked_at;  // when the extension and the stop flag were last checked
};

Worker me;

void note_progress(XLogRecPtr scanned, int64 events) {
    SpinLockAcquire(&shared->mutex);
    WorkerState* w = entry_for(me.database, true);
    if (w != nullptr) {
        if (scanned > w->scanned) w->scanned = scanned;
        w->events += events;
    }
    SpinLockRelease(&shared->mutex);
}

/// The positions read whose slot confirmation waits for the commit that
/// applied what came before them to be flushed (the worker commits
/// asynchronously), oldest first.
struct PendingConfirm {
    XLogRecPtr position;
    XLogRecPtr commit_end;  // InvalidXLogRecPtr: nothing to wait for
};
constexpr int kPendingConfirms = 256;
PendingConfirm pending[kPendingConfirms];
int pending_first = 0;
int pending_count = 0;

/// Confirms the slot up to the newest waiting position whose commit, and
/// every older one, is flushed: a crash can no longer undo what comes
/// before it, so the slot may let go of its WAL.
void confirm_flushed() {
    XLogRecPtr flushed = GetFlushRecPtr(nullptr);
    XLogRecPtr to = InvalidXLogRecPtr;
    while (pending_count > 0 && pending[pending_first].commit_end <= flushed) {
        to = pending[pending_first].position;
        pending_first = (pending_first + 1) % kPendingConfirms;
        pending_count--;
    }
    if (to != InvalidXLogRecPtr) LogicalConfirmReceivedLocation(to);
}

void confirm_when_flushed(XLogRecPtr position, XLogRecPtr commit_end) {
    if (pending_count == kPendingConfirms) {
        // (rare: the WAL writer flushes within wal_writer_delay)
        XLogFlush(pending[pending_first].commit_end);
        confirm_flushed();
    }
    pending[(pending_first + pending_count) % kPendingConfirms] = PendingConfirm{position, commit_end};
    pending_count++;
    confirm_flushed();
}

/// Applies what is buffered, in a transaction of its own (the origin set
/// from the start: the decoder skips this transaction's writes). The
/// transaction commits asynchronously (synchronous_commit is off in the
/// worker): its events are visible at once, and the writers' commits are
/// not made to wait for the worker's flushes. Its commit record carries the
/// origin's progress, so a crash that loses the commit loses the progress
/// with it, and the events are applied again. The slot is confirmed up to
/// `position`, before which every commit is now applied, only once that
/// commit is flushed.
void apply_buffered(XLogRecPtr position) {
    int64 events = 0;
    XLogRecPtr commit_end = InvalidXLogRecPtr;
    if (capture_buffer_transactions(me.buffer) > 0) {
        SetCurrentStatementStartTimestamp();
        StartTransactionCommand();
        // Catalog entries built while decoding saw the catalogs as of the
        // decoded changes: none may serve this transaction (nor entries
        // built by it the decoding that follows).
        InvalidateSystemCaches();
        PushActiveSnapshot(GetTransactionSnapshot());
        origin_set_for_commit(me.origin, InvalidXLogRecPtr, 0);
        CaptureProgress progress;
        capture_apply_buffer(me.schema, me.origin, me.buffer, &progress);
        PopActiveSnapshot();
        InvalidateSystemCaches();
        CommitTransactionCommand();
        commit_end = XactLastCommitEnd;
        origin_set_for_commit(kInvalidOriginId, InvalidXLogRecPtr, 0);
        events = progress.events;
    }
    if (position != InvalidXLogRecPtr) {
        note_progress(position, events);
        confirm_when_flushed(position, commit_end);
    } else {
        confirm_flushed();
    }
}

/// Whether the worker should go on: the extension still there, no stop
/// asked for. Checked about once a second.
bool should_continue() {
    TimestampTz now = GetCurrentTimestamp();
    if (now - me.checked_at < USECS_PER_SEC) return true;
    me.checked_at = now;
    if (!capture_worker_enabled) return false;
    SetCurrentStatementStartTimestamp();
    SpinLockAcquire(&shared->mutex);
    WorkerState* w = entry_for(me.database, false);
    bool stop = w == nullptr || w->pid != MyProcPid || w->suppress_until > now;
    SpinLockRelease(&shared->mutex);
    if (stop) return false;
    StartTransactionCommand();
    Oid schema = eventlog_schema();
    CommitTransactionCommand();
    return OidIsValid(schema);
}

/// Reads WAL pages for the decoder. While the page asked for is not flushed
/// yet, the worker is idle: it applies what it holds, and waits.
/// Reloads the configuration when asked to; exits when the worker is to
/// stop (eventlog.capture_worker off, the extension gone, a stop asked for).
void check_in() {
    CHECK_FOR_INTERRUPTS();
    if (ConfigReloadPending) {
        ConfigReloadPending = false;
        ProcessConfigFile(PGC_SIGHUP);
        me.checked_at = 0;  // look again now
    }
    if (!should_continue()) proc_exit(0);
}

int read_page(XLogReaderState* state, XLogRecPtr page, int length, XLogRecPtr record, char* out) {
    for (;;) {
        check_in();
        if (page + length <= GetFlushRecPtr(nullptr)) return read_local_xlog_page(state, page, length, record, out);
        // Every commit before the end of the last record read is decoded.
        apply_buffered(me.ctx->reader->EndRecPtr);
        (void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, kIdleWaitMs, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
    }
}

void worker_loop() {
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    me.schema = eventlog_schema();
    me.origin = replorigin_by_name(me.slot, true);
    CommitTransactionCommand();
    if (!OidIsValid(me.schema) || me.origin == kInvalidOriginId || !capture_slot_exists(me.database)) proc_exit(0);

    // The slot may be held for a moment by eventlog_capture_apply().
    for (;;) {
        ReplicationSlot* s = SearchNamedReplicationSlot(me.slot, true);
        if (s == nullptr) proc_exit(0);
        SpinLockAcquire(&s->mutex);
        bool active = slot_in_use(s);
        SpinLockRelease(&s->mutex);
        if (!active) break;
        (void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 100, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
    }
    allow_eventlog_plugin(false);
    slot_acquire(me.slot, true);
    origin_session_setup(me.origin);
    XLogRecPtr start = replorigin_session_get_progress(false);

    MemoryContext memory = AllocSetContextCreate(TopMemoryContext, "eventlog capture worker", ALLOCSET_DEFAULT_SIZES);
    MemoryContextSwitchTo(memory);
    me.buffer = capture_buffer_create(memory);
    static XLogReaderRoutine routine = {};
    routine.page_read = read_page;
    routine.segment_open = wal_segment_open;
    routine.segment_close = wal_segment_close;
    // The decoding context is made inside a transaction, as SQL's decoding
    // functions make theirs: outside one, PostgreSQL marks the process as
    // a decoding walsender (PROC_IN_LOGICAL_DECODING), and other sessions'
    // snapshots then leave its transaction ids out as if they had ended. A
    // reader of the log during an apply would take the worker's new events
    // for aborted, mark them so, and they would be lost for everyone.
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    MemoryContextSwitchTo(memory);
    me.ctx = capture_decoding_start(start, &routine, me.buffer, me.origin);
    CommitTransactionCommand();
    MemoryContextSwitchTo(memory);
    XLogRecPtr from = start > MyReplicationSlot->data.confirmed_flush ? start : MyReplicationSlot->data.confirmed_flush;
    elog(LOG, "eventlog: capture worker started for database %u at %X/%X", me.database, static_cast<uint32>(from >> 32),
         static_cast<uint32>(from));

    for (;;) {
        char* error = nullptr;
        XLogRecord* record = XLogReadRecord(me.ctx->reader, &error);
        if (error != nullptr) elog(ERROR, "eventlog: could not read WAL for capture: %s", error);
        if (record != nullptr) LogicalDecodingProcessRecord(me.ctx, me.ctx->reader);
        check_in();
        TimestampTz since = capture_buffer_since(me.buffer);
        if (capture_buffer_transactions(me.buffer) > 0 &&
            (capture_buffer_events(me.buffer) >= kApplyEvents ||
             (since != 0 && GetCurrentTimestamp() - since >= kApplyAfterMs * 1000)))
            apply_buffered(me.ctx->reader->EndRecPtr);
    }
}

// --- DROP DATABASE ------------------------------------------------------------

/// A worker connected to a database keeps DROP DATABASE from running: it
/// is stopped first.
/// (DROP DATABASE drops the database's slots itself, but not its
/// replication origins: the capture's goes too.)
void process_utility(PlannedStmt* statement, const char* query, bool read_only_tree, ProcessUtilityContext context,
                     ParamListInfo params, QueryEnvironment* environment, DestReceiver* dest, QueryCompletion* qc) {
    guarded([&] {
        Node* tree = statement->utilityStmt;
        Oid database = InvalidOid;
        if (tree != nullptr && IsA(tree, DropdbStmt)) {
            database = get_database_oid(castNode(DropdbStmt, tree)->dbname, true);
            if (OidIsValid(database) && capture_worker_pid(database) != 0) capture_worker_stop(database);
        }
        if (previous_process_utility != nullptr)
            previous_process_utility(statement, query, read_only_tree, context, params, environment, dest, qc);
        else
            standard_ProcessUtility(statement, query, read_only_tree, context, params, environment, dest, qc);
        if (OidIsValid(database) && !OidIsValid(get_database_oid(castNode(DropdbStmt, tree)->dbname, true))) {
            char name[NAMEDATALEN];
            capture_slot_name(database, name);
            replorigin_drop_by_name(name, true, false);
        }
    });
}

}  // namespace

void capture_workers_init() {
    if (!process_shared_preload_libraries_in_progress) return;
    previous_shmem_request = shmem_request_hook;
    shmem_request_hook = request_shmem;
    previous_shmem_startup = shmem_startup_hook;
    shmem_startup_hook = startup_shmem;
    previous_process_utility = ProcessUtility_hook;
    ProcessUtility_hook = process_utility;

    BackgroundWorker launcher = {};
    snprintf(launcher.bgw_name, BGW_MAXLEN, "eventlog capture launcher");
    snprintf(launcher.bgw_type, BGW_MAXLEN, "eventlog capture launcher");
    launcher.bgw_flags = BGWORKER_SHMEM_ACCESS;
    launcher.bgw_start_time = BgWorkerStart_RecoveryFinished;
    launcher.bgw_restart_time = 5;
    snprintf(launcher.bgw_library_name, BGW_MAXLEN, "eventlog");
    snprintf(launcher.bgw_function_name, BGW_MAXLEN, "eventlog_capture_launcher_main");
    RegisterBackgroundWorker(&launcher);
}

int capture_worker_pid(Oid database) {
    if (shared == nullptr) return 0;
    SpinLockAcquire(&shared->mutex);
    WorkerState* w = entry_for(database, false);
    int pid = w != nullptr ? w->pid : 0;
    SpinLockRelease(&shared->mutex);
    return pid;
}

XLogRecPtr capture_worker_scanned(Oid database) {
    if (shared == nullptr) return InvalidXLogRecPtr;
    SpinLockAcquire(&shared->mutex);
    WorkerState* w = entry_for(database, false);
    XLogRecPtr scanned = w != nullptr && w->pid != 0 ? w->scanned : InvalidXLogRecPtr;
    SpinLockRelease(&shared->mutex);
    return scanned;
}

int64 capture_worker_events(Oid database) {
    if (shared == nullptr) return 0;
    SpinLockAcquire(&shared->mutex);
    WorkerState* w = entry_for(database, false);
    int64 events = w != nullptr ? w->events : 0;
    SpinLockRelease(&shared->mutex);
    return events;
}

bool capture_worker_error(Oid database, char* out, Size size, TimestampTz* at) {
    if (shared == nullptr) return false;
    SpinLockAcquire(&shared->mutex);
    WorkerState* w = entry_for(database, false);
    bool found = w != nullptr && w->error[0] != '\0';
    if (found) {
        snprintf(out, size, "%s", w->error);
        *at = w->error_at;
    }
    SpinLockRelease(&shared->mutex);
    return found;
}

void capture_wait_for_worker(Oid database) {
    if (capture_max_lag_kb <= 0 || shared == nullptr) return;
    XLogRecPtr bound = static_cast<XLogRecPtr>(capture_max_lag_kb) * 1024;
    TimestampTz give_up = 0;
    for (;;) {
        SpinLockAcquire(&shared->mutex);
        WorkerState* w = entry_for(database, false);
        XLogRecPtr scanned = w != nullptr && w->pid != 0 ? w->scanned : InvalidXLogRecPtr;
        SpinLockRelease(&shared->mutex);
        // No worker (or none that has read anything yet): waiting would not
        // help; the changes wait in the WAL instead.
        if (scanned == InvalidXLogRecPtr) return;
        XLogRecPtr insert = GetXLogInsertRecPtr();
        if (insert <= scanned || insert - scanned <= bound) return;
        TimestampTz now = GetCurrentTimestamp();
        if (give_up == 0)
            give_up = TimestampTzPlusMilliseconds(now, kMaxLagWaitMs);
        else if (now >= give_up)
            return;
        (void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1, PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
    }
}

void capture_worker_stop(Oid database) {
    if (shared == nullptr) return;
    SpinLockAcquire(&shared->mutex);
    WorkerState* w = entry_for(database, true);
    int pid = 0;
    if (w != nullptr) {
        w->suppress_until = GetCurrentTimestamp() + 30 * USECS_PER_SEC;
        pid = w->pid;
    }
    SpinLockRelease(&shared->mutex);
    if (pid == 0) return;
    kill(pid, SIGTERM);
    for (int i = 0; i < 1000 && capture_worker_pid(database) == pid; i++) {
        CHECK_FOR_INTERRUPTS();
        pg_usleep(10000L);
    }
}

void capture_worker_allow(Oid database) {
    if (shared == nullptr) return;
    SpinLockAcquire(&shared->mutex);
    WorkerState* w = entry_for(database, false);
    if (w != nullptr) w->suppress_until = 0;
    SpinLockRelease(&shared->mutex);
}

}  // namespace eventlog::pg

namespace eventlog::pg {
namespace {

/// This worker's entry no longer names it (the process is exiting).
void forget_worker() {
    SpinLockAcquire(&shared->mutex);
    WorkerState* w = entry_for(me.database, false);
    if (w != nullptr && w->pid == MyProcPid) w->pid = 0;
    SpinLockRelease(&shared->mutex);
}

/// The worker's last error, for eventlog_capture_status.
void note_error(const char* message) {
    SpinLockAcquire(&shared->mutex);
    WorkerState* state = entry_for(me.database, true);
    if (state != nullptr) {
        snprintf(state->error, sizeof(state->error), "%s", message);
        state->error_at = GetCurrentTimestamp();
    }
    SpinLockRelease(&shared->mutex);
}

/// Takes the database's entry for this worker; false when another worker
/// has it.
bool claim_entry() {
    SpinLockAcquire(&shared->mutex);
    WorkerState* w = entry_for(me.database, true);
    bool taken = w == nullptr || (w->pid != 0 && w->pid != MyProcPid);
    if (!taken) {
        w->pid = MyProcPid;
        w->events = 0;
    }
    SpinLockRelease(&shared->mutex);
    return !taken;
}

}  // namespace
}  // namespace eventlog::pg

extern "C" {

static void eventlog_capture_worker_exit(int, Datum) {
    eventlog::pg::guarded_callback([] { eventlog::pg::forget_worker(); });
}

PGDLLEXPORT void eventlog_capture_launcher_main(Datum);
PGDLLEXPORT void eventlog_capture_worker_main(Datum);

void eventlog_capture_launcher_main(Datum) {
    pqsignal(SIGTERM, die);
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    BackgroundWorkerUnblockSignals();
    eventlog::pg::shared->launcher_pid = MyProcPid;
    eventlog::pg::guarded([] { eventlog::pg::launcher_loop(); });
}

void eventlog_capture_worker_main(Datum argument) {
    using namespace eventlog::pg;
    pqsignal(SIGTERM, die);
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    BackgroundWorkerUnblockSignals();
    me.database = DatumGetObjectId(argument);
    capture_slot_name(me.database, me.slot);
    if (!claim_entry()) proc_exit(0);
    before_shmem_exit(eventlog_capture_worker_exit, (Datum) 0);
    BackgroundWorkerInitializeConnectionByOid(me.database, InvalidOid, 0);
    // The worker's commits need not wait for their flush: the slot is
    // confirmed only past flushed commits (apply_buffered).
    SetConfigOption("synchronous_commit", "off", PGC_SUSET, PGC_S_OVERRIDE);
    pgstat_report_appname("eventlog capture worker");
    // An error ends the worker (the launcher starts another); it is kept
    // in shared memory for eventlog_capture_status first.
    guarded([] {
        try {
            pg_call([] { worker_loop(); });
        } catch (const PgError& e) {
            const char* message = e.data()->message != nullptr ? e.data()->message : "error";
            note_error(message);
            throw;
        }
    });
}

}  // extern "C"
