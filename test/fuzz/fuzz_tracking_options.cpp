// libFuzzer target: tracking options (core/tracking_options), the JSON
// argument of eventlog_track's triggers and its validation against a
// table's columns.
//
// Input: the options JSON text up to the first newline; each further line is
// a column name of the table. Without a newline the columns are
// id, name, status, data.
//
// Checked on every input (a violation aborts, which libFuzzer reports):
//   - from_json and validate_tracking either succeed or throw eventlog::Error
//     with InvalidParameterValue; no other exception (e.g. nlohmann's) escapes;
//   - parsed options written back as JSON parse to the same options;
//   - validate_tracking accepts exactly when every excluded column exists and
//     validate_message accepts every action's template, and an accepted
//     template names only known placeholders, and only columns of the table;
//   - an accepted template renders, on a model of the server's event node
//     (src/pg/tracked_message.cpp) whose rows hold every column, without
//     error when each row placeholder has a single attribute.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/message_template.hpp"
#include "support/nlohmann_node.hpp"
#include "core/template_render.hpp"
#include "core/tracking_options.hpp"

using eventlog::Error;
using eventlog::ErrorCode;
using eventlog::JsonKind;
using eventlog::MessageTemplate;
using eventlog::NlohmannNode;
using eventlog::Placeholder;
using eventlog::TrackedAction;
using eventlog::TrackedKey;
using eventlog::TrackingOptions;
using json = nlohmann::json;

namespace {

[[noreturn]] void fail(const char* what, std::string_view detail) {
    std::fprintf(stderr, "fuzz_tracking_options: invariant violated: %s\n  detail: %.*s\n", what,
                 static_cast<int>(detail.size()), detail.data());
    std::abort();
}

void check(bool ok, const char* what, std::string_view detail) {
    if (!ok) fail(what, detail);
}

// Runs fn; true when it returned, false when it threw eventlog::Error(22023).
template <class Fn>
bool accepted(Fn fn, const char* what, std::string_view detail) {
    try {
        fn();
        return true;
    } catch (const Error& e) {
        if (e.code() != ErrorCode::InvalidParameterValue)
            fail(what, std::string(e.what()) + " | input: " + std::string(detail));
        return false;
    } catch (const std::exception& e) {
        fail(what, std::string(e.what()) + " | input: " + std::string(detail));
    }
}

// The server's EventNode (src/pg/tracked_message.cpp) over nlohmann::json:
// the root resolves tracked keys, a row resolves column names.
class EventModel {
public:
    EventModel(const json* actor_etc, const json* old_row, const json* new_row)
        : fields_(actor_etc), old_row_(old_row), new_row_(new_row) {}

    JsonKind kind() const { return value_ ? value_->kind() : JsonKind::Object; }

    std::optional<EventModel> member(const std::string& key) const {
        if (value_) {
            std::optional<NlohmannNode> inner = value_->member(key);
            if (!inner) return std::nullopt;
            return with(*inner);
        }
        if (row_ != nullptr) {
            auto it = row_->find(key);
            if (it == row_->end()) return std::nullopt;
            return with(NlohmannNode(*it));
        }
        std::optional<TrackedKey> which = eventlog::tracked_key(key);
        if (!which) return std::nullopt;
        switch (*which) {
            case TrackedKey::OldRow: return row(old_row_);
            case TrackedKey::NewRow: return row(new_row_);
            default: return with(NlohmannNode(fields_->at(key)));
        }
    }

    std::string scalar_text() const { return value_ ? value_->scalar_text() : json_text(); }
    std::string json_text() const {
        if (value_) return value_->json_text();
        throw Error(ErrorCode::Internal, "a whole row cannot be rendered");
    }

private:
    EventModel with(const NlohmannNode& v) const {
        EventModel m(fields_, old_row_, new_row_);
        m.value_ = v;
        return m;
    }
    std::optional<EventModel> row(const json* r) const {
        if (r == nullptr) return std::nullopt;
        EventModel m(fields_, old_row_, new_row_);
        m.row_ = r;
        return m;
    }

    const json* fields_;
    const json* old_row_;
    const json* new_row_;
    const json* row_ = nullptr;
    std::optional<NlohmannNode> value_;
};

json options_json(const TrackingOptions& o) {
    json out = {{"tool", o.tool}, {"exclude_columns", o.exclude_columns}, {"messages", json::object()}};
    for (int i = 0; i < eventlog::kTrackedActions; ++i) {
        if (o.messages[i]) out["messages"][eventlog::action_name(static_cast<TrackedAction>(i))] = *o.messages[i];
    }
    return out;
}

bool same(const TrackingOptions& a, const TrackingOptions& b) {
    return a.tool == b.tool && a.exclude_columns == b.exclude_columns && a.messages == b.messages;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t newline = input.find('\n');
    const std::string_view text = input.substr(0, newline);
    std::vector<std::string> columns = {"id", "name", "status", "data"};
    if (newline != std::string_view::npos) {
        columns.clear();
        std::string_view rest = input.substr(newline + 1);
        for (;;) {
            std::size_t nl = rest.find('\n');
            columns.emplace_back(rest.substr(0, nl));
            if (nl == std::string_view::npos) break;
            rest = rest.substr(nl + 1);
        }
    }

    TrackingOptions options;
    if (!accepted([&] { options = TrackingOptions::from_json(text); }, "from_json throws only 22023", text)) return 0;

    // Written back as JSON, the options parse to themselves.
    {
        const std::string dumped = options_json(options).dump();
        TrackingOptions again;
        check(accepted([&] { again = TrackingOptions::from_json(dumped); }, "from_json throws only 22023", dumped) &&
                  same(options, again),
              "options written back as JSON parse to themselves", dumped);
    }

    const bool whole =
        accepted([&] { eventlog::validate_tracking(options, columns); }, "validate_tracking throws only 22023", text);
    bool parts = std::all_of(options.exclude_columns.begin(), options.exclude_columns.end(),
                             [&](const std::string& c) { return has(columns, c); });
    for (int i = 0; i < eventlog::kTrackedActions; ++i) {
        auto action = static_cast<TrackedAction>(i);
        const std::string tmpl_text = options.message_for(action);
        const bool ok = accepted([&] { eventlog::validate_message(action, tmpl_text, columns); },
                                 "validate_message throws only 22023", tmpl_text);
        parts = parts && ok;
        if (!ok) continue;

        // An accepted template parses and names only known keys and columns.
        MessageTemplate tmpl;
        check(accepted([&] { tmpl = MessageTemplate::parse(tmpl_text); }, "parse throws only 22023", tmpl_text),
              "an accepted template parses", tmpl_text);
        bool single_attribute = true;
        for (const Placeholder& p : tmpl.placeholders()) {
            std::optional<TrackedKey> key = eventlog::tracked_key(p.key);
            check(key.has_value(), "an accepted template names only known placeholders", tmpl_text);
            if (*key == TrackedKey::OldRow || *key == TrackedKey::NewRow) {
                check(!p.path.empty() && has(columns, p.path[0]), "an accepted template names only columns", tmpl_text);
                single_attribute = single_attribute && p.path.size() == 1;
            } else {
                check(p.path.empty(), "an accepted event-field placeholder has no path", tmpl_text);
            }
        }

        // It renders on the event model with full rows (as the trigger does).
        json fields = {{"actor", "alice"},
                       {"tool", options.tool},
                       {"action", eventlog::action_name(action)},
                       {"object_type", "public.t"},
                       {"object_id", "1"}};
        json row = json::object();
        for (std::size_t c = 0; c < columns.size(); ++c) row[columns[c]] = c % 2 ? json(c) : json{{"k", c}};
        const bool has_old = action == TrackedAction::Update || action == TrackedAction::Delete;
        const bool has_new = action == TrackedAction::Create || action == TrackedAction::Update;
        EventModel root(&fields, has_old ? &row : nullptr, has_new ? &row : nullptr);
        const bool rendered =
            accepted([&] { (void) eventlog::render_template(tmpl, root); }, "rendering throws only 22023", tmpl_text);
        check(rendered || !single_attribute, "an accepted single-attribute template renders", tmpl_text);
    }
    check(whole == parts, "validate_tracking accepts exactly when every part is accepted", text);
    return 0;
}
