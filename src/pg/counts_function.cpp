// eventlog_counts_fold() RETURNS bigint
// eventlog_counts_rebuild() RETURNS bigint
// eventlog_counts_stand_for_log() RETURNS boolean
//
// Upkeep of the counts behind eventlog_page's count (event_counts.hpp):
// folding the deltas now (writers do it themselves now and then), and
// recounting every event, for a log whose counts an owner's hand-made
// change made wrong (events inserted or partitions dropped by hand).
// EXECUTE is revoked from PUBLIC; both run with the log owner's rights.
// PostgreSQL-style code (no C++ objects).
#include "pg/boundary.hpp"
#include "pg/event_counts.hpp"
#include "pg/event_writer.hpp"

namespace eventlog::pg {

namespace {

Datum fold(FunctionCallInfo fcinfo) {
    PreventCommandIfReadOnly("eventlog_counts_fold");
    PG_RETURN_INT64(fold_count_deltas(extension_namespace(fcinfo->flinfo->fn_oid), true));
}

Datum rebuild(FunctionCallInfo fcinfo) {
    PreventCommandIfReadOnly("eventlog_counts_rebuild");
    PG_RETURN_INT64(rebuild_counts(extension_namespace(fcinfo->flinfo->fn_oid)));
}

Datum stand_for_log(FunctionCallInfo fcinfo) {
    PG_RETURN_BOOL(counts_stand_for_log(extension_namespace(fcinfo->flinfo->fn_oid)));
}

}  // namespace

}  // namespace eventlog::pg

EVENTLOG_SQL_FUNCTION(eventlog_counts_fold, eventlog::pg::fold)
EVENTLOG_SQL_FUNCTION(eventlog_counts_rebuild, eventlog::pg::rebuild)
EVENTLOG_SQL_FUNCTION(eventlog_counts_stand_for_log, eventlog::pg::stand_for_log)
