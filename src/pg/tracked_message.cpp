#include <cstring>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/template_render.hpp"

#include "pg/tracked_message.hpp"
#include "pg/boundary.hpp"
#include "pg/jsonb_node.hpp"

namespace eventlog::pg {

namespace {

JsonbValue text_value(const char* s) {
    JsonbValue v;
    if (s == nullptr) {
        v.type = jbvNull;
    } else {
        v.type = jbvString;
        v.val.string.val = const_cast<char*>(s);
        v.val.string.len = static_cast<int>(std::strlen(s));
    }
    return v;
}

/// The Node (core/template_render.hpp) of a tracked event: the root holds
/// the event's fields and its rows; a row's members are its columns'
/// to_jsonb values.
class EventNode {
public:
    EventNode(const TableTracking* tracking, const EventFields* event)
        : tracking_(tracking), event_(event), row_(nullptr) {}

    JsonKind kind() const { return value_ ? value_->kind() : JsonKind::Object; }

    std::optional<EventNode> member(const std::string& key) const {
        if (value_) {
            std::optional<JsonbNode> inner = value_->member(key);
            if (!inner) return std::nullopt;
            return with_value(*inner);
        }
        if (row_ != nullptr) return column(key);
        std::optional<TrackedKey> which = tracked_key(key);
        if (!which) return std::nullopt;
        switch (*which) {
            case TrackedKey::Actor: return with_value(JsonbNode(text_value(event_->common->actor)));
            case TrackedKey::Tool: return with_value(JsonbNode(text_value(event_->common->tool)));
            case TrackedKey::Action: return with_value(JsonbNode(text_value(event_->common->action)));
            case TrackedKey::ObjectType: return with_value(JsonbNode(text_value(event_->common->object_type)));
            case TrackedKey::ObjectId: return with_value(JsonbNode(text_value(event_->object_id)));
            case TrackedKey::OldRow: return with_row(event_->old_row);
            case TrackedKey::NewRow: return with_row(event_->new_row);
        }
        return std::nullopt;
    }

    std::string scalar_text() const { return value_ ? value_->scalar_text() : json_text(); }

    std::string json_text() const {
        if (value_) return value_->json_text();
        throw Error(ErrorCode::Internal, "eventlog: a whole row cannot be rendered");
    }

private:
    EventNode with_value(const JsonbNode& value) const {
        EventNode node(tracking_, event_);
        node.value_ = value;
        return node;
    }

    std::optional<EventNode> with_row(TupleTableSlot* row) const {
        if (row == nullptr) return std::nullopt;
        EventNode node(tracking_, event_);
        node.row_ = row;
        return node;
    }

    std::optional<EventNode> column(const std::string& name) const {
        const TrackedColumn* column = tracking_->column(name);
        if (column == nullptr) return std::nullopt;
        int attnum = static_cast<int>(column - tracking_->columns.data()) + 1;
        TupleTableSlot* row = row_;
        JsonbConverter* converter = const_cast<JsonbConverter*>(&column->converter);
        Jsonb* value = pg_call([&] {
            bool isnull;
            Datum datum = slot_getattr(row, attnum, &isnull);
            return converter_apply(converter, datum, isnull);
        });
        return with_value(JsonbNode(value));
    }

    const TableTracking* tracking_;
    const EventFields* event_;
    TupleTableSlot* row_;             // set: this node is a row
    std::optional<JsonbNode> value_;  // set: this node is a value
};

}  // namespace

text* render_tracked_message(const TableTracking* tracking, TrackedAction action, const EventFields* event) {
    EventNode root(tracking, event);
    std::string message;
    try {
        message = render_template(tracking->templates[static_cast<int>(action)], root);
    } catch (const Error&) {
        message = render_template(MessageTemplate::parse(default_message(action)), root);
    }
    return pg_call([&] { return cstring_to_text_with_len(message.data(), static_cast<int>(message.size())); });
}

}  // namespace eventlog::pg
