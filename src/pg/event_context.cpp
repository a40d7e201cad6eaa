// eventlog.context and the context of each event. PostgreSQL-style code.
#include <cstring>

#include "core/json_object_text.hpp"

#include "pg/event_context.hpp"
#include "pg/settings.hpp"

namespace eventlog::pg {

namespace {

/// The setting as last parsed, kept for the life of the backend: tracking
/// reads it once per statement, eventlog_log once per call.
char* parsed_text = nullptr;
Jsonb* parsed_context = nullptr;

Jsonb* setting_context() {
    if (context_setting == nullptr || context_setting[0] == '\0') return nullptr;
    if (parsed_text == nullptr || std::strcmp(parsed_text, context_setting) != 0) {
        // Parsed in the caller's context first: an error (none expected, the
        // check hook accepted it) leaves the cache as it was.
        Jsonb* parsed = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(context_setting)));
        MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);
        char* text = pstrdup(context_setting);
        Jsonb* copy = static_cast<Jsonb*>(palloc(VARSIZE(parsed)));
        std::memcpy(copy, parsed, VARSIZE(parsed));
        MemoryContextSwitchTo(old);
        if (parsed_text != nullptr) pfree(parsed_text);
        if (parsed_context != nullptr) pfree(parsed_context);
        parsed_text = text;
        parsed_context = copy;
    }
    return parsed_context;
}

}  // namespace

bool check_context_setting(char** new_value, void**, GucSource) {
    if (*new_value == nullptr || (*new_value)[0] == '\0' || is_json_object_text(*new_value)) return true;
    GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
    GUC_check_errmsg("eventlog.context must be a JSON object");
    GUC_check_errhint("For example SET LOCAL eventlog.context = '{\"request_id\": \"r-1\"}'; '' unsets it.");
    return false;
}

Jsonb* event_context(Jsonb* own) {
    Jsonb* setting = setting_context();
    if (setting == nullptr) return own;
    if (own != nullptr)
        return DatumGetJsonbP(DirectFunctionCall2(jsonb_concat, JsonbPGetDatum(setting), JsonbPGetDatum(own)));
    // A copy in the caller's memory: the cached value is replaced (and
    // freed) when the setting changes, perhaps while a batch still holds it.
    Jsonb* copy = static_cast<Jsonb*>(palloc(VARSIZE(setting)));
    std::memcpy(copy, setting, VARSIZE(setting));
    return copy;
}

}  // namespace eventlog::pg
