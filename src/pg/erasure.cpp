#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/json_erase.hpp"
#include "core/message_template.hpp"
#include "core/template_match.hpp"
#include "core/template_render.hpp"
#include "core/tracking_options.hpp"

#include "pg/erasure.hpp"
#include "pg/boundary.hpp"
#include "pg/jsonb_node.hpp"

namespace eventlog::pg {

namespace {

/// More readings than this: the message is too ambiguous to re-render.
constexpr std::size_t kReadings = 16;

/// The message eventlog_snapshot writes (capture_trigger.cpp), as a template.
constexpr const char* kSnapshotTemplate =
    "{object_type} {object_id}: its state when tracking began (snapshot by {actor}).";

bool same(const char* a, const char* b) {
    return (a == nullptr && b == nullptr) || (a != nullptr && b != nullptr && std::strcmp(a, b) == 0);
}

const char* palloc_copy(const std::string& s) {
    return pg_call([&] { return pnstrdup(s.data(), s.size()); });
}

Jsonb* parse_jsonb(const std::string& text) {
    return pg_call([&] { return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(text.c_str()))); });
}

/// What this erasure does to one event, in C++ terms.
struct Rule {
    bool actor_mode = false;
    std::vector<std::string> names;  // the actor's names and ids
    std::string pseudonym;
    JsonErasure json;         // changes, context, and JSON rendered in messages
    JsonErasure values_json;  // the same with values_json's key paths

    /// For an actor: its name and ids, and those the event names it by.
    Rule(const ErasureRequest* request, const EventText* event) {
        if (request->actor_mode) {
            actor_mode = true;
            if (request->actor != nullptr) names.emplace_back(request->actor);
            if (event->actor != nullptr) names.emplace_back(event->actor);
            for (int i = 0; i < request->nactor_ids; ++i) names.emplace_back(request->actor_ids[i]);
            if (event->actor_id != nullptr) names.emplace_back(event->actor_id);
            pseudonym = request->pseudonym;
            json.values = names;
            json.replacement = pseudonym;
        } else {
            for (int i = 0; i < request->nkeys; ++i) json.keys.emplace_back(request->keys[i]);
        }
        values_json = json;
        values_json.key_paths = true;
    }

    /// The text a placeholder that matched `text` renders now, when the
    /// event no longer holds its value (or never did): `path` is the parts
    /// of its key that name values (the column and attributes of a tracked
    /// row placeholder; every part of a values_json key).
    std::string wildcard(const std::string& text, const std::vector<std::string>& path) const {
        if (actor_mode) {
            for (const std::string& name : names)
                if (text == name) return pseudonym;
        } else {
            for (const std::string& part : path)
                if (json.erases_key(part)) return std::string(kErasedMarker);
        }
        std::optional<std::string> erased = erase_json(text, json);
        return erased ? *erased : text;
    }

    /// A message that cannot be read back may hold an erased value.
    bool may_hold(const std::string& message, const std::optional<MessageTemplate>& tmpl, bool json_changed) const {
        if (message.empty()) return false;
        if (actor_mode) {
            for (const std::string& name : names)
                if (!name.empty() && message.find(name) != std::string::npos) return true;
            return false;
        }
        if (json_changed) return true;
        for (const std::string& key : json.keys)
            if (message.find(json_string_literal(key)) != std::string::npos) return true;
        if (tmpl) {
            for (const Placeholder& p : tmpl->placeholders())
                if (json.erases_key_part(p.key)) return true;
        }
        return false;
    }
};

/// A field's JSON text after the erasure, or nullopt when it is unchanged.
std::optional<std::string> erase_field(const char* json, const JsonErasure& erasure) {
    if (json == nullptr) return std::nullopt;
    return erase_json(json, erasure);
}

std::string json_or_null(const char* s) { return s == nullptr ? "null" : json_string_literal(s); }

/// The values a tracked event's template renders against, as JSON text:
/// its fields ({actor}, {tool}, ...) and, under each row placeholder's key,
/// the row as its changes have it (old_value, new_value; a column that is
/// not there is missing, so that its placeholder matches any text).
std::string tracked_values(const MessageTemplate& tmpl, const EventText& event, const char* actor,
                           const char* changes) {
    std::optional<JsonbNode> old_row;
    std::optional<JsonbNode> new_row;
    if (changes != nullptr) {
        JsonbNode root(parse_jsonb(changes));
        old_row = root.member("old_value");
        new_row = root.member("new_value");
    }
    std::string out = "{\"actor\": " + json_or_null(actor) + ", \"tool\": " + json_or_null(event.tool) +
                      ", \"action\": " + json_or_null(event.action) +
                      ", \"object_type\": " + json_or_null(event.object_type) +
                      ", \"object_id\": " + json_or_null(event.object_id);
    std::set<std::string> done;
    for (const Placeholder& p : tmpl.placeholders()) {
        std::optional<TrackedKey> key = tracked_key(p.key);
        if (!key || (*key != TrackedKey::OldRow && *key != TrackedKey::NewRow) || !done.insert(p.key).second) continue;
        const std::optional<JsonbNode>& row = *key == TrackedKey::OldRow ? old_row : new_row;
        if (!row || row->kind() != JsonKind::Object) continue;
        out += ", " + json_string_literal(p.key) + ": " + row->json_text();
    }
    out += "}";
    return out;
}

/// The text a placeholder renders against `values`, or nullopt when it
/// does not render (a missing key).
std::optional<std::string> rendered(Jsonb* values, const Placeholder& p) {
    if (values == nullptr) return std::nullopt;
    try {
        return render_placeholder(JsonbNode(values), p);
    } catch (const Error&) {
        return std::nullopt;
    }
}

/// The message rendered again along `tmpl`, or nullopt when it does not
/// read along it (or reads in ways that disagree on the result).
std::optional<std::string> rerender(const Rule& rule, const MessageTemplate& tmpl, const std::string& message,
                                    Jsonb* before, Jsonb* after, bool tracked) {
    std::vector<Placeholder> placeholders = tmpl.placeholders();
    std::vector<std::optional<std::string>> known;
    std::vector<std::optional<std::string>> now;
    std::vector<std::vector<std::string>> paths;
    for (const Placeholder& p : placeholders) {
        known.push_back(rendered(before, p));
        now.push_back(known.back() ? rendered(after, p) : std::nullopt);
        std::vector<std::string> path;
        if (tracked) {
            std::optional<TrackedKey> key = tracked_key(p.key);
            if (key && (*key == TrackedKey::OldRow || *key == TrackedKey::NewRow)) path = p.path;
        } else {
            std::size_t start = 0;
            for (;;) {
                std::size_t next = p.key.find("__", start);
                path.push_back(p.key.substr(start, next == std::string::npos ? std::string::npos : next - start));
                if (next == std::string::npos) break;
                start = next + 2;
            }
        }
        paths.push_back(std::move(path));
    }
    std::vector<std::vector<std::string>> readings = template_readings(tmpl, message, known, kReadings);
    if (readings.empty() || readings.size() >= kReadings) return std::nullopt;
    std::optional<std::string> result;
    for (const std::vector<std::string>& reading : readings) {
        std::vector<std::string> texts;
        for (std::size_t i = 0; i < placeholders.size(); ++i)
            texts.push_back(now[i] ? *now[i] : rule.wildcard(reading[i], paths[i]));
        std::string candidate = assemble_template(tmpl, texts);
        if (result && *result != candidate) return std::nullopt;
        result = std::move(candidate);
    }
    return result;
}

std::optional<MessageTemplate> parsed(const char* text) {
    try {
        return MessageTemplate::parse(text);
    } catch (const Error&) {
        return std::nullopt;
    }
}

/// The message once erased (the same text when nothing in it changes).
std::string erased_message(const Rule& rule, const EventText& before, const EventText& after, bool json_changed) {
    std::string message = before.message != nullptr ? before.message : "";
    if (message.empty()) return message;
    bool tracked = before.values_json == nullptr;
    std::vector<std::string> templates;
    if (before.template_message != nullptr) {
        templates.emplace_back(before.template_message);
        if (tracked) {
            // A tracked template that failed on a row's values fell back to
            // the action's default message.
            for (int i = 0; i < kTrackedActions; ++i) {
                auto action = static_cast<TrackedAction>(i);
                if (same(before.action, action_name(action)) && templates[0] != default_message(action))
                    templates.emplace_back(default_message(action));
            }
        }
    } else if (same(before.action, "snapshot") && tracked) {
        templates.emplace_back(kSnapshotTemplate);
    }
    std::optional<MessageTemplate> first;
    for (const std::string& text : templates) {
        std::optional<MessageTemplate> tmpl = parsed(text.c_str());
        if (!tmpl) continue;
        if (!first) first = tmpl;
        Jsonb* before_values;
        Jsonb* after_values;
        if (tracked) {
            before_values = parse_jsonb(tracked_values(*tmpl, before, before.actor, before.changes));
            after_values = parse_jsonb(tracked_values(*tmpl, after, after.actor, after.changes));
        } else {
            before_values = parse_jsonb(before.values_json);
            after_values = parse_jsonb(after.values_json);
        }
        std::optional<std::string> again = rerender(rule, *tmpl, message, before_values, after_values, tracked);
        if (again) return *again;
    }
    return rule.may_hold(message, first, json_changed) ? std::string(kErasedMarker) : message;
}

}  // namespace

bool erase_event(const ErasureRequest* request, const EventText* before, EventText* after) {
    Rule rule(request, before);
    *after = *before;
    // The log's own events (purges, erasures) keep their values: an actor's
    // erasure changes only who they name.
    bool own = same(before->tool, "eventlog");
    std::optional<std::string> changes = own ? std::nullopt : erase_field(before->changes, rule.json);
    std::optional<std::string> values = own ? std::nullopt : erase_field(before->values_json, rule.values_json);
    std::optional<std::string> context = own ? std::nullopt : erase_field(before->context, rule.json);
    if (changes) after->changes = palloc_copy(*changes);
    if (values) after->values_json = palloc_copy(*values);
    if (context) after->context = palloc_copy(*context);
    if (rule.actor_mode) {
        if (before->actor != nullptr) after->actor = request->pseudonym;
        if (before->actor_id != nullptr) after->actor_id = request->pseudonym;
    }
    std::string message = erased_message(rule, *before, *after, changes || values || context);
    if (!same(message.c_str(), before->message)) after->message = palloc_copy(message);
    return !same(after->actor, before->actor) || !same(after->actor_id, before->actor_id) ||
           !same(after->message, before->message) || changes || values || context;
}

}  // namespace eventlog::pg
