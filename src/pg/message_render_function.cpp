#include <string>
#include <string_view>

#include "core/message_template.hpp"
#include "core/template_render.hpp"

#include "pg/message_render.hpp"
#include "pg/boundary.hpp"
#include "pg/jsonb_node.hpp"

namespace eventlog::pg {

namespace {

Jsonb* empty_object() {
    return pg_call([] {
        JsonbValue object;
        object.type = jbvObject;
        object.val.object.nPairs = 0;
        object.val.object.pairs = nullptr;
        return JsonbValueToJsonb(&object);
    });
}

const char* json_type_name(Jsonb* document) {
    if (JB_ROOT_IS_OBJECT(document)) return "object";
    if (JB_ROOT_IS_SCALAR(document)) return "scalar";
    return "array";
}

}  // namespace

text* render_message(text* template_message, Jsonb* values_json) {
    std::string_view source(VARDATA_ANY(template_message), VARSIZE_ANY_EXHDR(template_message));
    MessageTemplate parsed = MessageTemplate::parse(source);

    if (values_json != nullptr && !JB_ROOT_IS_OBJECT(values_json)) {
        throw invalid_parameter(std::string("values_json must be a JSON object, not a JSON ") +
                                json_type_name(values_json));
    }
    JsonbNode values(values_json != nullptr ? values_json : empty_object());
    std::string rendered = render_template(parsed, values);
    return pg_call([&] { return cstring_to_text_with_len(rendered.data(), static_cast<int>(rendered.size())); });
}

namespace {

/// eventlog_render(template_message text, values_json jsonb) RETURNS text
Datum render(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) PG_RETURN_NULL();
    text* template_message = pg_call([&] { return PG_GETARG_TEXT_PP(0); });
    Jsonb* values = PG_ARGISNULL(1) ? nullptr : pg_call([&] { return PG_GETARG_JSONB_P(1); });
    PG_RETURN_TEXT_P(render_message(template_message, values));
}

}  // namespace
}  // namespace eventlog::pg

EVENTLOG_SQL_FUNCTION(eventlog_render, eventlog::pg::render)
