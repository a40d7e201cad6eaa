// jsonb_diff_schema(old_data, new_data, exclude_keys, deep): what changed
// between two JSON objects, as {"old_value": {...}, "new_value": {...}}.
//
// Native jsonb throughout: both objects are walked once in jsonb key order
// (shorter keys first, then bytewise) and merged like two sorted lists;
// nested values are compared as containers without being unpacked, numbers
// with numeric_cmp (exact at any precision). Nothing goes through text.
//
// This file is PostgreSQL-style code: no C++ object with a destructor is
// ever alive here, so PostgreSQL errors (including CHECK_FOR_INTERRUPTS and
// check_stack_depth) may longjmp through it. See pg/boundary.hpp.

#include <cstring>

#include "pg/boundary.hpp"
#include "pg/diff_output.hpp"
#include "pg/postgres.hpp"

namespace eventlog::pg {

namespace {

/// A key as jsonb stores it: bytes and a length, not NUL-terminated.
struct Key {
    const char* data;
    int len;
};

/// jsonb's own key order: shorter first, then bytewise.
int compare_keys(const char* a, int alen, const char* b, int blen) {
    if (alen != blen) return alen < blen ? -1 : 1;
    return std::memcmp(a, b, alen);
}

int compare_key_entries(const void* a, const void* b) {
    const Key* ka = static_cast<const Key*>(a);
    const Key* kb = static_cast<const Key*>(b);
    return compare_keys(ka->data, ka->len, kb->data, kb->len);
}

struct DiffOptions {
    Key* excluded;  // sorted with compare_key_entries
    int n_excluded;
    bool deep;
};

bool is_excluded(const DiffOptions* options, const JsonbValue* key) {
    if (options->n_excluded == 0) return false;
    Key probe = {key->val.string.val, key->val.string.len};
    return bsearch(&probe, options->excluded, options->n_excluded, sizeof(Key), compare_key_entries) != nullptr;
}

/// Reads exclude_keys (NULL array or NULL elements are ignored).
void read_exclude_keys(ArrayType* array, DiffOptions* options) {
    options->excluded = nullptr;
    options->n_excluded = 0;
    if (array == nullptr) return;
    Datum* elements;
    bool* nulls;
    int count;
    deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elements, &nulls, &count);
    options->excluded = static_cast<Key*>(palloc(sizeof(Key) * (count > 0 ? count : 1)));
    for (int i = 0; i < count; i++) {
        if (nulls[i]) continue;
        text* t = DatumGetTextPP(elements[i]);
        options->excluded[options->n_excluded].data = VARDATA_ANY(t);
        options->excluded[options->n_excluded].len = VARSIZE_ANY_EXHDR(t);
        options->n_excluded++;
    }
    qsort(options->excluded, options->n_excluded, sizeof(Key), compare_key_entries);
}

/// jsonb equality of two values taken out of containers.
bool values_equal(const JsonbValue* a, const JsonbValue* b) {
    if (a->type != b->type) return false;
    switch (a->type) {
        case jbvNull: return true;
        case jbvBool: return a->val.boolean == b->val.boolean;
        case jbvString:
            return a->val.string.len == b->val.string.len &&
                   std::memcmp(a->val.string.val, b->val.string.val, a->val.string.len) == 0;
        case jbvNumeric:
            return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a->val.numeric),
                                                     NumericGetDatum(b->val.numeric))) == 0;
        case jbvBinary: return compareJsonbContainers(a->val.binary.data, b->val.binary.data) == 0;
        default: elog(ERROR, "jsonb_diff_schema: unexpected jsonb value type %d", (int) a->type);
    }
    return false;
}

bool is_object(const JsonbValue* v) { return v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data); }

bool is_array(const JsonbValue* v) { return v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data); }

/// Walks the key/value pairs of an object container in jsonb key order.
struct PairCursor {
    JsonbIterator* iterator;
    JsonbValue key;
    JsonbValue value;
    bool done;
};

void cursor_next(PairCursor* cursor) {
    JsonbIteratorToken token = JsonbIteratorNext(&cursor->iterator, &cursor->key, true);
    if (token == WJB_KEY) {
        JsonbIteratorNext(&cursor->iterator, &cursor->value, true);
    } else {
        cursor->done = true;  // WJB_END_OBJECT
    }
}

void cursor_open(PairCursor* cursor, JsonbContainer* object) {
    cursor->iterator = JsonbIteratorInit(object);
    cursor->done = false;
    JsonbIteratorNext(&cursor->iterator, &cursor->key, true);  // WJB_BEGIN_OBJECT
    cursor_next(cursor);
}

void diff_objects(JsonbContainer* old_object, JsonbContainer* new_object, const DiffOptions* options, DiffOutput* out);

/// Deep mode: is this an array whose elements are all objects with an "id"?
bool is_keyed_array(JsonbContainer* array) {
    JsonbIterator* it = JsonbIteratorInit(array);
    JsonbValue element;
    JsonbIteratorToken token;
    bool keyed = true;
    while ((token = JsonbIteratorNext(&it, &element, true)) != WJB_DONE) {
        if (token != WJB_ELEM) continue;
        if (!keyed) continue;  // drain the iterator so it frees itself
        JsonbValue id;
        if (!is_object(&element) || getKeyJsonValueFromContainer(element.val.binary.data, "id", 2, &id) == nullptr)
            keyed = false;
    }
    return keyed;
}

/// The text an "id" keys its element by: strings raw, anything else as JSON.
JsonbValue id_key(const JsonbValue* id) {
    JsonbValue key;
    key.type = jbvString;
    switch (id->type) {
        case jbvString: key.val.string = id->val.string; return key;
        case jbvNumeric:
            key.val.string.val = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(id->val.numeric)));
            break;
        case jbvBool: key.val.string.val = pstrdup(id->val.boolean ? "true" : "false"); break;
        case jbvNull: key.val.string.val = pstrdup("null"); break;
        default: key.val.string.val = JsonbToCString(nullptr, id->val.binary.data, id->val.binary.len); break;
    }
    key.val.string.len = static_cast<int>(std::strlen(key.val.string.val));
    return key;
}

/// Deep mode: [{"id":7,...}, ...] as {"7": {"id":7,...}, ...}; a repeated id
/// keeps its last element.
Jsonb* keyed_array_as_object(JsonbContainer* array) {
    JsonbBuild state;
    jsonb_build_begin(&state);
    jsonb_push(&state, WJB_BEGIN_OBJECT, nullptr);
    JsonbIterator* it = JsonbIteratorInit(array);
    JsonbValue element;
    JsonbIteratorToken token;
    while ((token = JsonbIteratorNext(&it, &element, true)) != WJB_DONE) {
        if (token != WJB_ELEM) continue;
        CHECK_FOR_INTERRUPTS();
        JsonbValue id;
        getKeyJsonValueFromContainer(element.val.binary.data, "id", 2, &id);
        JsonbValue key = id_key(&id);
        push_pair(&state, &key, &element);
    }
    return finish_object(&state);
}

/// Deep mode: diff two objects one level down, recorded under `key` when
/// anything in them changed.
void output_nested(DiffOutput* out, JsonbValue* key, JsonbContainer* old_object, JsonbContainer* new_object,
                   const DiffOptions* options) {
    bool changed_before = output_open_nested(out, key);
    diff_objects(old_object, new_object, options, out);
    output_close_nested(out, changed_before);
}

/// A key present on both sides with values that differ.
void diff_value(DiffOutput* out, JsonbValue* key, JsonbValue* old_value, JsonbValue* new_value,
                const DiffOptions* options) {
    if (options->deep) {
        if (is_object(old_value) && is_object(new_value)) {
            output_nested(out, key, old_value->val.binary.data, new_value->val.binary.data, options);
            return;
        }
        if (is_array(old_value) && is_array(new_value) && is_keyed_array(old_value->val.binary.data) &&
            is_keyed_array(new_value->val.binary.data)) {
            Jsonb* old_map = keyed_array_as_object(old_value->val.binary.data);
            Jsonb* new_map = keyed_array_as_object(new_value->val.binary.data);
            output_nested(out, key, &old_map->root, &new_map->root, options);
            return;
        }
    }
    output_change(out, key, old_value, new_value);
}

/// Merges the two objects' pairs in key order, recording every difference.
void diff_objects(JsonbContainer* old_object, JsonbContainer* new_object, const DiffOptions* options, DiffOutput* out) {
    check_stack_depth();
    PairCursor old_pairs, new_pairs;
    cursor_open(&old_pairs, old_object);
    cursor_open(&new_pairs, new_object);
    while (!old_pairs.done || !new_pairs.done) {
        CHECK_FOR_INTERRUPTS();
        int order;
        if (old_pairs.done)
            order = 1;
        else if (new_pairs.done)
            order = -1;
        else
            order = compare_keys(old_pairs.key.val.string.val, old_pairs.key.val.string.len,
                                 new_pairs.key.val.string.val, new_pairs.key.val.string.len);

        if (order < 0) {  // only in old
            if (!is_excluded(options, &old_pairs.key)) output_change(out, &old_pairs.key, &old_pairs.value, nullptr);
            cursor_next(&old_pairs);
        } else if (order > 0) {  // only in new
            if (!is_excluded(options, &new_pairs.key)) output_change(out, &new_pairs.key, nullptr, &new_pairs.value);
            cursor_next(&new_pairs);
        } else {
            // Deep mode diffs two objects key by key: comparing them whole
            // first would walk every subtree once per level above it.
            if (!is_excluded(options, &old_pairs.key) &&
                ((options->deep && is_object(&old_pairs.value) && is_object(&new_pairs.value)) ||
                 !values_equal(&old_pairs.value, &new_pairs.value)))
                diff_value(out, &old_pairs.key, &old_pairs.value, &new_pairs.value, options);
            cursor_next(&old_pairs);
            cursor_next(&new_pairs);
        }
    }
}

/// Creation or deletion: every non-excluded top-level pair of `object`.
void copy_object(JsonbContainer* object, const DiffOptions* options, JsonbBuild* state) {
    PairCursor pairs;
    for (cursor_open(&pairs, object); !pairs.done; cursor_next(&pairs)) {
        CHECK_FOR_INTERRUPTS();
        if (!is_excluded(options, &pairs.key)) push_pair(state, &pairs.key, &pairs.value);
    }
}

void require_object(Jsonb* document, const char* argument) {
    if (JB_ROOT_IS_OBJECT(document)) return;
    const char* kind = "array";
    if (JB_ROOT_IS_SCALAR(document)) {
        JsonbValue scalar;
        JsonbExtractScalar(&document->root, &scalar);
        kind = JsonbTypeName(&scalar);
    }
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("jsonb_diff_schema: %s must be a JSON object, not a JSON %s", argument, kind)));
}

Datum jsonb_diff_schema(FunctionCallInfo fcinfo) {
    Jsonb* old_data = PG_ARGISNULL(0) ? nullptr : PG_GETARG_JSONB_P(0);
    Jsonb* new_data = PG_ARGISNULL(1) ? nullptr : PG_GETARG_JSONB_P(1);
    if (old_data != nullptr) require_object(old_data, "old_data");
    if (new_data != nullptr) require_object(new_data, "new_data");
    if (old_data == nullptr && new_data == nullptr) PG_RETURN_NULL();

    DiffOptions options;
    read_exclude_keys(PG_ARGISNULL(2) ? nullptr : PG_GETARG_ARRAYTYPE_P(2), &options);
    options.deep = !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);

    DiffOutput out;
    output_begin(&out);
    if (old_data == nullptr)
        copy_object(&new_data->root, &options, &out.new_state);
    else if (new_data == nullptr)
        copy_object(&old_data->root, &options, &out.old_state);
    else
        diff_objects(&old_data->root, &new_data->root, &options, &out);
    PG_RETURN_JSONB_P(output_finish(&out));
}

}  // namespace

}  // namespace eventlog::pg

/// jsonb_diff_schema(old_data jsonb, new_data jsonb, exclude_keys text[], deep boolean) RETURNS jsonb
EVENTLOG_SQL_FUNCTION(eventlog_jsonb_diff_schema, eventlog::pg::jsonb_diff_schema)
