// eventlog_refuse_rewrite(): trigger keeping eventlog append-only.
#include "pg/append_only.hpp"

#include "pg/boundary.hpp"
#include "pg/postgres.hpp"

namespace eventlog::pg {

namespace {

bool purge_window_open = false;

void close_on_abort(XactEvent event, void*) {
    guarded_callback([&] {
        if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) purge_window_open = false;
    });
}

void close_on_subabort(SubXactEvent event, SubTransactionId, SubTransactionId, void*) {
    guarded_callback([&] {
        if (event == SUBXACT_EVENT_ABORT_SUB) purge_window_open = false;
    });
}

const char* operation_name(TriggerEvent event) {
    if (TRIGGER_FIRED_BY_UPDATE(event)) return "UPDATE";
    if (TRIGGER_FIRED_BY_DELETE(event)) return "DELETE";
    if (TRIGGER_FIRED_BY_TRUNCATE(event)) return "TRUNCATE";
    return "INSERT";
}

Datum refuse_rewrite(FunctionCallInfo fcinfo) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("eventlog_refuse_rewrite: not called by the trigger manager")));
    auto* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
    if (purge_window_open && TRIGGER_FIRED_BY_DELETE(trigger->tg_event) && TRIGGER_FIRED_FOR_ROW(trigger->tg_event))
        return PointerGetDatum(trigger->tg_trigtuple);
    ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                    errmsg("eventlog is append-only: %s is not allowed", operation_name(trigger->tg_event)),
                    errhint("Events are never changed or removed once recorded; "
                            "eventlog_purge removes old events.")));
    return (Datum) 0;
}

}  // namespace

void open_purge_window() { purge_window_open = true; }

void close_purge_window() { purge_window_open = false; }

void register_append_only_callbacks() {
    RegisterXactCallback(close_on_abort, nullptr);
    RegisterSubXactCallback(close_on_subabort, nullptr);
}

}  // namespace eventlog::pg

EVENTLOG_SQL_FUNCTION(eventlog_refuse_rewrite, eventlog::pg::refuse_rewrite)
