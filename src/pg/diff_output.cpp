#include <cstring>

#include "pg/diff_output.hpp"

namespace eventlog::pg {

void output_begin(DiffOutput* out) {
    jsonb_build_begin(&out->old_state);
    jsonb_build_begin(&out->new_state);
    out->changed = false;
    jsonb_push(&out->old_state, WJB_BEGIN_OBJECT, nullptr);
    jsonb_push(&out->new_state, WJB_BEGIN_OBJECT, nullptr);
}

void push_pair(JsonbBuild* state, JsonbValue* key, JsonbValue* value) {
    jsonb_push(state, WJB_KEY, key);
    jsonb_push(state, WJB_VALUE, value);
}

void output_change(DiffOutput* out, JsonbValue* key, JsonbValue* old_value, JsonbValue* new_value) {
    JsonbValue null_value;
    null_value.type = jbvNull;
    push_pair(&out->old_state, key, old_value != nullptr ? old_value : &null_value);
    push_pair(&out->new_state, key, new_value != nullptr ? new_value : &null_value);
    out->changed = true;
}

bool output_open_nested(DiffOutput* out, JsonbValue* key) {
    jsonb_push(&out->old_state, WJB_KEY, key);
    jsonb_push(&out->old_state, WJB_BEGIN_OBJECT, nullptr);
    jsonb_push(&out->new_state, WJB_KEY, key);
    jsonb_push(&out->new_state, WJB_BEGIN_OBJECT, nullptr);
    bool changed_before = out->changed;
    out->changed = false;
    return changed_before;
}

void output_close_nested(DiffOutput* out, bool changed_before) {
    jsonb_push(&out->old_state, WJB_END_OBJECT, nullptr);
    jsonb_push(&out->new_state, WJB_END_OBJECT, nullptr);
    if (!out->changed) {
        // The nested object was appended to its parent as the value of the
        // parent's last pair (utils/jsonb.h: JsonbParseState); drop that pair.
        jsonb_build_open_container(&out->old_state)->val.object.nPairs--;
        jsonb_build_open_container(&out->new_state)->val.object.nPairs--;
    }
    out->changed = out->changed || changed_before;
}

JsonbValue string_value(const char* s, int length) {
    JsonbValue v;
    v.type = jbvString;
    v.val.string.val = const_cast<char*>(s);
    v.val.string.len = length;
    return v;
}

JsonbValue document_value(Jsonb* document) {
    JsonbValue v;
    v.type = jbvBinary;
    v.val.binary.data = &document->root;
    v.val.binary.len = VARSIZE(document) - VARHDRSZ;
    return v;
}

Jsonb* finish_object(JsonbBuild* state) { return JsonbValueToJsonb(jsonb_build_finish(state, WJB_END_OBJECT)); }

Jsonb* output_finish(DiffOutput* out) {
    // The two finished objects become the values of a hand-built root, keys
    // in jsonb order ("new_value" sorts before "old_value").
    JsonbPair pairs[2];
    pairs[0].key = string_value("new_value", 9);
    pairs[0].value = *jsonb_build_finish(&out->new_state, WJB_END_OBJECT);
    pairs[0].order = 0;
    pairs[1].key = string_value("old_value", 9);
    pairs[1].value = *jsonb_build_finish(&out->old_state, WJB_END_OBJECT);
    pairs[1].order = 1;
    JsonbValue root;
    root.type = jbvObject;
    root.val.object.nPairs = 2;
    root.val.object.pairs = pairs;
    return JsonbValueToJsonb(&root);
}

}  // namespace eventlog::pg
