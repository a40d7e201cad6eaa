// eventlog_refuse_rewrite(): trigger keeping eventlog append-only.
#include "pg/append_only.hpp"

#include "pg/boundary.hpp"
#include "pg/postgres.hpp"

namespace eventlog::pg {

namespace {

bool purge_window_open = false;
bool erase_window_open = false;

void close_on_abort(XactEvent event, void*) {
    guarded_callback([&] {
        if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) {
            purge_window_open = false;
            erase_window_open = false;
        }
    });
}

void close_on_subabort(SubXactEvent event, SubTransactionId, SubTransactionId, void*) {
    guarded_callback([&] {
        if (event == SUBXACT_EVENT_ABORT_SUB) {
            purge_window_open = false;
            erase_window_open = false;
        }
    });
}

/// The columns an erasure may change: the erasable fields of an event
/// (eventlog) and an event's secret (eventlog_seal_secrets).
bool erasable_column(const char* name) {
    static const char* const kErasable[] = {"actor",       "actor_id", "message", "changes",
                                            "values_json", "context",  "secret"};
    for (const char* erasable : kErasable)
        if (strcmp(name, erasable) == 0) return true;
    return false;
}

/// The update changes nothing but erasable columns.
bool erasure_shaped(TriggerData* trigger) {
    TupleDesc descriptor = RelationGetDescr(trigger->tg_relation);
    for (int i = 0; i < descriptor->natts; i++) {
        Form_pg_attribute attribute = TupleDescAttr(descriptor, i);
        if (attribute->attisdropped || erasable_column(NameStr(attribute->attname))) continue;
        bool old_null;
        bool new_null;
        Datum old_value = heap_getattr(trigger->tg_trigtuple, i + 1, descriptor, &old_null);
        Datum new_value = heap_getattr(trigger->tg_newtuple, i + 1, descriptor, &new_null);
        if (old_null != new_null) return false;
        if (!old_null && !datumIsEqual(old_value, new_value, attribute->attbyval, attribute->attlen)) return false;
    }
    return true;
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
    if (erase_window_open && TRIGGER_FIRED_BY_UPDATE(trigger->tg_event) && TRIGGER_FIRED_FOR_ROW(trigger->tg_event) &&
        erasure_shaped(trigger))
        return PointerGetDatum(trigger->tg_newtuple);
    ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                    errmsg("eventlog is append-only: %s is not allowed", operation_name(trigger->tg_event)),
                    errhint("Events are never changed or removed once recorded; "
                            "eventlog_purge removes old events, eventlog_erase erases values.")));
    return (Datum) 0;
}

}  // namespace

void open_purge_window() { purge_window_open = true; }

void close_purge_window() { purge_window_open = false; }

void open_erase_window() { erase_window_open = true; }

void close_erase_window() { erase_window_open = false; }

void register_append_only_callbacks() {
    RegisterXactCallback(close_on_abort, nullptr);
    RegisterSubXactCallback(close_on_subabort, nullptr);
}

}  // namespace eventlog::pg

EVENTLOG_SQL_FUNCTION(eventlog_refuse_rewrite, eventlog::pg::refuse_rewrite)
