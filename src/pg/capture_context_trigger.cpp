// eventlog_capture_context(options): the trigger eventlog_track(...,
// capture => 'wal') attaches to a table, BEFORE INSERT OR UPDATE OR DELETE
// OR TRUNCATE FOR EACH STATEMENT, without transition tables. It writes no
// event: it sends the statement's context (capture_context.hpp) into the
// WAL, where the decoder finds it before the statement's changes. Its
// argument is the table's tracking options, which the decoder reads from
// the trigger itself (pg_trigger, a catalog, as of the change).
// PostgreSQL-style code (no C++ objects).
#include "pg/boundary.hpp"
#include "pg/capture_context.hpp"
#include "pg/capture_worker.hpp"
#include "pg/postgres.hpp"
#include "pg/wal_capture.hpp"

namespace eventlog::pg {

namespace {

Datum capture_context(FunctionCallInfo fcinfo) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("eventlog_capture_context: must be called as a trigger"),
                        errhint("Track tables with eventlog_track(..., capture => 'wal').")));
    TriggerData* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
    if (!TRIGGER_FIRED_BEFORE(trigger->tg_event) || !TRIGGER_FIRED_FOR_STATEMENT(trigger->tg_event))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("eventlog_capture_context: must be a BEFORE ... FOR EACH STATEMENT trigger"),
                        errhint("Track tables with eventlog_track(..., capture => 'wal').")));
    // Without the slot nothing would decode this statement's changes: refuse
    // them rather than lose their events (a restored dump, a promoted
    // replica: slots are not part of either).
    if (!capture_slot_exists(MyDatabaseId))
        ereport(ERROR,
                (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                 errmsg("eventlog: %s is tracked from the WAL, but this database has no capture slot",
                        RelationGetRelationName(trigger->tg_relation)),
                 errdetail("Its changes would not become events."),
                 errhint("Run SELECT eventlog_capture_start('%s'); in a transaction of its own (or track "
                         "the table with capture => 'trigger').",
                         quote_qualified_identifier(get_namespace_name(RelationGetNamespace(trigger->tg_relation)),
                                                    RelationGetRelationName(trigger->tg_relation)))));
    // A bound on how far the applier may fall behind the writers (off by
    // default): wait here, before the statement changes anything.
    capture_wait_for_worker(MyDatabaseId);
    CaptureContext context;
    current_capture_context(&context);
    emit_capture_context(&context);
    return (Datum) 0;
}

}  // namespace
}  // namespace eventlog::pg

EVENTLOG_SQL_FUNCTION(eventlog_capture_context, eventlog::pg::capture_context)
