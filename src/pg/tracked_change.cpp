#include "pg/tracked_change.hpp"
#include "pg/diff_output.hpp"
#include "pg/tracked_message.hpp"

namespace eventlog::pg {

namespace {

/// to_jsonb of one column of a row, to push into the diff.
JsonbValue column_json(const TrackedColumn* column, TupleTableSlot* row, int attnum) {
    bool isnull;
    Datum value = slot_getattr(row, attnum, &isnull);
    return converter_value(const_cast<JsonbConverter*>(&column->converter), value, isnull);
}

/// Did this column change? Binary-equal values did not; otherwise their
/// to_jsonb forms decide (jsonb equality: 1.0 equals 1.00).
bool column_changed(const TrackedColumn* column, TupleTableSlot* old_row, TupleTableSlot* new_row, int attnum,
                    JsonbValue* old_json, JsonbValue* new_json) {
    bool old_null, new_null;
    Datum old_value = slot_getattr(old_row, attnum, &old_null);
    Datum new_value = slot_getattr(new_row, attnum, &new_null);
    if (old_null && new_null) return false;
    if (!old_null && !new_null && datumIsEqual(old_value, new_value, column->typbyval, column->typlen)) return false;
    JsonbConverter* converter = const_cast<JsonbConverter*>(&column->converter);
    *old_json = converter_value(converter, old_value, old_null);
    *new_json = converter_value(converter, new_value, new_null);
    return old_null != new_null || !converter_values_equal(converter, old_json, new_json);
}

/// The event's changes; NULL for an update that changed no tracked column.
Jsonb* row_changes(const TableTracking* t, TrackedAction action, TupleTableSlot* old_row, TupleTableSlot* new_row) {
    if ((action != TrackedAction::Delete && new_row == nullptr) ||
        (action != TrackedAction::Create && old_row == nullptr))
        elog(ERROR, "eventlog: a %s without its rows", action_name(action));
    DiffOutput out;
    output_begin(&out);
    for (size_t i = 0; i < t->columns.size(); i++) {
        const TrackedColumn* column = &t->columns[i];
        if (column->dropped || column->excluded) continue;
        int attnum = static_cast<int>(i) + 1;
        JsonbValue key = string_value(column->name.c_str(), static_cast<int>(column->name.size()));
        if (action == TrackedAction::Create) {
            JsonbValue value = column_json(column, new_row, attnum);
            push_pair(&out.new_state, &key, &value);
        } else if (action == TrackedAction::Delete) {
            JsonbValue value = column_json(column, old_row, attnum);
            push_pair(&out.old_state, &key, &value);
        } else {
            JsonbValue old_value, new_value;
            if (!column_changed(column, old_row, new_row, attnum, &old_value, &new_value)) continue;
            output_change(&out, &key, &old_value, &new_value);
        }
    }
    if (action == TrackedAction::Update && !out.changed) return nullptr;
    return output_finish(&out);
}

}  // namespace

bool build_tracked_change(const TableTracking* t, TrackedAction action, bool snapshot, const EventCommon* common,
                          TupleTableSlot* old_row, TupleTableSlot* new_row, TrackedChange* out) {
    Jsonb* changes = row_changes(t, action, old_row, new_row);
    if (changes == nullptr) return false;
    TupleTableSlot* identity = new_row != nullptr ? new_row : old_row;
    char* object_id = nullptr;
    if (t->has_key) {
        slot_getallattrs(identity);
        object_id = object_id_text(&t->key, identity->tts_values, identity->tts_isnull);
    }
    EventFields event = {common, object_id, old_row, new_row};
    out->object_id = object_id;
    out->changes = changes;
    out->message = snapshot ? cstring_to_text(psprintf("%s %s: its state when tracking began (snapshot by %s).",
                                                       t->object_type.c_str(), object_id, common->actor))
                            : render_tracked_message(t, action, &event);
    return true;
}

text* tracked_truncate_message(const TableTracking* t, const EventCommon* common) {
    EventFields event = {common, nullptr, nullptr, nullptr};
    return render_tracked_message(t, TrackedAction::Truncate, &event);
}

}  // namespace eventlog::pg
