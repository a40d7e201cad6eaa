// eventlog_check_tracking(target regclass, options jsonb): refuses, before
// any trigger exists, what the capture trigger could not honour: a table
// without a primary key (55000), unknown excluded columns, templates naming
// unknown placeholders or columns (22023). eventlog_track() calls it.
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/tracking_options.hpp"
#include "pg/boundary.hpp"
#include "pg/row_identity.hpp"
#include "pg/table_tracking.hpp"

namespace eventlog::pg {

namespace {

/// The table's column names; refused (55000) when it has no primary key
/// eventlog can use.
std::vector<std::string> trackable_columns(Oid table_oid) {
    Relation table = pg_call([&] { return table_open(table_oid, AccessShareLock); });
    std::vector<std::string> columns = column_names(RelationGetDescr(table));
    pg_call([&] {
        require_primary_key(table, "eventlog_track");
        table_close(table, AccessShareLock);
    });
    return columns;
}

void check_tracking(Oid table_oid, Jsonb* options_json) {
    std::vector<std::string> columns = trackable_columns(table_oid);
    char* text = pg_call([&] { return JsonbToCString(nullptr, &options_json->root, VARSIZE(options_json)); });
    validate_tracking(TrackingOptions::from_json(text), columns);
}

Datum check_tracking_entry(FunctionCallInfo fcinfo) {
    Oid table = PG_GETARG_OID(0);
    Jsonb* options = pg_call([&] { return PG_GETARG_JSONB_P(1); });
    check_tracking(table, options);
    PG_RETURN_VOID();
}

}  // namespace
}  // namespace eventlog::pg

EVENTLOG_SQL_FUNCTION(eventlog_check_tracking, eventlog::pg::check_tracking_entry)
