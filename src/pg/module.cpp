// The module's magic block and its settings.
#include "pg/append_only.hpp"
#include "pg/boundary.hpp"
#include "pg/cache_invalidation.hpp"
#include "pg/capture_worker.hpp"
#include "pg/event_context.hpp"
#include "pg/postgres.hpp"
#include "pg/settings.hpp"
#include "pg/table_tracking.hpp"

namespace eventlog::pg {

char* actor_setting = nullptr;
char* actor_id_setting = nullptr;
char* context_setting = nullptr;

namespace {

/// eventlog.partition_interval: read only by the install script (with
/// current_setting), never from C++; defined here so that it is a known
/// setting of the reserved prefix "eventlog".
char* partition_interval_setting = nullptr;

void define_settings() {
    DefineCustomStringVariable("eventlog.actor", "Who events are recorded for when no actor is passed.",
                               "Set it per transaction (SET LOCAL eventlog.actor = 'alice') from the application; "
                               "when empty, events record the calling database role.",
                               &actor_setting, "", PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("eventlog.actor_id",
                               "The stable key of the actor (a user's primary key, an account id).",
                               "Set it per transaction (SET LOCAL eventlog.actor_id = '42') next to eventlog.actor; "
                               "events record it in actor_id unless an actor_id is passed; empty: NULL.",
                               &actor_id_setting, "", PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable(
        "eventlog.context", "A JSON object stored with every event (the context column).",
        "Set it per transaction (SET LOCAL eventlog.context = '{\"request_id\": \"r-1\"}') from the application; "
        "empty: no context. eventlog_log(..., context => ...) merges its own over it.",
        &context_setting, "", PGC_USERSET, 0, check_context_setting, nullptr, nullptr);
    DefineCustomStringVariable(
        "eventlog.partition_interval", "The layout CREATE EXTENSION eventlog gives the log.",
        "Empty (the default): a plain table. An interval of whole months or days, such as '1 month': "
        "a table range-partitioned by \"timestamp\", one partition per interval. Read only by CREATE EXTENSION "
        "(and so also needed when restoring a dump of a partitioned log).",
        &partition_interval_setting, "", PGC_USERSET, 0, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable(
        "eventlog.capture_worker", "Whether WAL capture's background workers apply decoded changes.",
        "With eventlog in shared_preload_libraries, one worker per database with WAL-tracked tables applies their "
        "changes as they commit. Off: the changes wait (eventlog_capture_apply() applies them by hand).",
        &capture_worker_enabled, true, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "eventlog.capture_max_lag", "How far WAL capture's worker may fall behind before writers wait for it.",
        "The WAL its database's worker has yet to read; past it, each statement on a WAL-tracked table waits "
        "(up to 10 seconds) until the worker is back within the bound. 0 (the default): no bound, writers never wait.",
        &capture_max_lag_kb, 0, 0, INT_MAX, PGC_SIGHUP, GUC_UNIT_KB, nullptr, nullptr, nullptr);
    MarkGUCPrefixReserved("eventlog");
    register_cache_callbacks();
    register_tracking_callbacks();
    register_append_only_callbacks();
    capture_workers_init();
}

}  // namespace
}  // namespace eventlog::pg

extern "C" {

PG_MODULE_MAGIC;

void _PG_init(void);

void _PG_init(void) {
    eventlog::pg::guarded([] { eventlog::pg::define_settings(); });
}

}  // extern "C"
