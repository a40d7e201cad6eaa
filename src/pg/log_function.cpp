// eventlog_log(template_message, values_json, object_type, object_id, actor,
//              tool, action, changes) RETURNS bigint
#include "pg/boundary.hpp"
#include "pg/event_writer.hpp"
#include "pg/message_render.hpp"
#include "pg/postgres.hpp"

namespace eventlog::pg {

namespace {

const char* text_arg(FunctionCallInfo fcinfo, int i) {
    return PG_ARGISNULL(i) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(i));
}

/// PostgreSQL-style: builds and writes the event. `message` NULL means no
/// template was given.
Datum log_event(FunctionCallInfo fcinfo, text* message) {
    Event event;
    event.message = message != nullptr ? message : cstring_to_text("");
    event.template_message = PG_ARGISNULL(0) ? nullptr : PG_GETARG_TEXT_PP(0);
    event.values_json = PG_ARGISNULL(1) ? nullptr : PG_GETARG_JSONB_P(1);
    event.object_type = text_arg(fcinfo, 2);
    event.object_id = text_arg(fcinfo, 3);
    event.actor = PG_ARGISNULL(4) ? default_actor() : text_arg(fcinfo, 4);
    event.tool = text_arg(fcinfo, 5);
    event.action = text_arg(fcinfo, 6);
    event.changes = PG_ARGISNULL(7) ? nullptr : PG_GETARG_JSONB_P(7);
    event.db_user = current_role_name();
    PG_RETURN_INT64(write_event(extension_namespace(fcinfo->flinfo->fn_oid), &event));
}

}  // namespace

}  // namespace eventlog::pg

extern "C" {

PG_FUNCTION_INFO_V1(eventlog_log);

Datum eventlog_log(PG_FUNCTION_ARGS) {
    using namespace eventlog::pg;
    return guarded([&]() -> Datum {
        text* message = nullptr;
        if (!PG_ARGISNULL(0)) {
            text* template_message = pg_call([&] { return PG_GETARG_TEXT_PP(0); });
            Jsonb* values = PG_ARGISNULL(1) ? nullptr : pg_call([&] { return PG_GETARG_JSONB_P(1); });
            message = render_message(template_message, values);
        }
        return log_event(fcinfo, message);
    });
}

}  // extern "C"
