// eventlog_log(template_message, values_json, object_type, object_id, actor,
//              tool, action, changes, context, actor_id) RETURNS bigint
// (the SQL function of 1.1 and before has no context argument, that of 1.3
// and before no actor_id: the same symbol serves them all until ALTER
// EXTENSION eventlog UPDATE).
#include <string>

#include "pg/boundary.hpp"
#include "pg/event_context.hpp"
#include "pg/event_visibility.hpp"
#include "pg/event_writer.hpp"
#include "pg/message_render.hpp"
#include "pg/postgres.hpp"

namespace eventlog::pg {

namespace {

const char* text_arg(FunctionCallInfo fcinfo, int i) {
    return PG_ARGISNULL(i) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(i));
}

/// PostgreSQL-style: builds and writes the event from the decoded template
/// and values (NULL: not given) and its rendered message (NULL: no template).
Datum log_event(FunctionCallInfo fcinfo, text* template_message, Jsonb* values, text* message, Jsonb* context) {
    EventCommon common = {};
    common.template_message = template_message;
    common.values_json = values;
    common.object_type = text_arg(fcinfo, 2);
    common.object_table = table_named(common.object_type);
    common.actor = PG_ARGISNULL(4) ? default_actor() : text_arg(fcinfo, 4);
    common.actor_id = PG_NARGS() <= 9 || PG_ARGISNULL(9) ? default_actor_id() : text_arg(fcinfo, 9);
    common.tool = text_arg(fcinfo, 5);
    common.action = text_arg(fcinfo, 6);
    common.db_user = current_role_name();
    common.context = event_context(context);

    Datum object_id = PG_ARGISNULL(3) ? (Datum) 0 : PointerGetDatum(PG_GETARG_TEXT_PP(3));
    bool object_id_null = PG_ARGISNULL(3);
    Datum message_datum = PointerGetDatum(message != nullptr ? message : cstring_to_text(""));
    Datum changes = PG_ARGISNULL(7) ? (Datum) 0 : PointerGetDatum(PG_GETARG_JSONB_P(7));
    bool changes_null = PG_ARGISNULL(7);
    EventRows rows = {1, &object_id, &object_id_null, &message_datum, &changes, &changes_null};
    PG_RETURN_INT64(write_events(extension_namespace(fcinfo->flinfo->fn_oid), &common, &rows));
}

/// Rich C++ (the renderer): arguments decoded through pg_call.
Datum log_entry(FunctionCallInfo fcinfo) {
    text* template_message = PG_ARGISNULL(0) ? nullptr : pg_call([&] { return PG_GETARG_TEXT_PP(0); });
    Jsonb* values = PG_ARGISNULL(1) ? nullptr : pg_call([&] { return PG_GETARG_JSONB_P(1); });
    Jsonb* context = PG_NARGS() <= 8 || PG_ARGISNULL(8) ? nullptr : pg_call([&] { return PG_GETARG_JSONB_P(8); });
    if (context != nullptr && !JB_ROOT_IS_OBJECT(context))
        throw invalid_parameter(std::string("eventlog_log: context must be a JSON object, not a JSON ") +
                                (JB_ROOT_IS_SCALAR(context) ? "scalar" : "array"));
    text* message = template_message != nullptr ? render_message(template_message, values) : nullptr;
    return log_event(fcinfo, template_message, values, message, context);
}

}  // namespace

}  // namespace eventlog::pg

EVENTLOG_SQL_FUNCTION(eventlog_log, eventlog::pg::log_entry)
