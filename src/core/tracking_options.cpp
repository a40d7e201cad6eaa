#include "core/tracking_options.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace eventlog {

namespace {

constexpr std::array<const char*, kTrackedActions> kActionNames = {"create", "update", "delete", "truncate"};

constexpr std::array<const char*, kTrackedActions> kDefaultMessages = {
    "{object_type} {object_id} was created by {actor}.",
    "{object_type} {object_id} was updated by {actor}.",
    "{object_type} {object_id} was deleted by {actor}.",
    "{object_type} was truncated by {actor}.",
};

bool has_prefix(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

void validate_message(TrackedAction action, const std::string& text, const std::vector<std::string>& columns) {
    const std::string where = std::string("eventlog_track: the ") + action_name(action) + " message";
    MessageTemplate parsed;
    try {
        parsed = MessageTemplate::parse(text);
    } catch (const Error& e) {
        throw invalid_parameter(where + ": " + e.what(), e.hint());
    }
    for (const Placeholder& p : parsed.placeholders()) {
        const std::string shown = "{" + p.key + "}";
        std::optional<TrackedKey> key = tracked_key(p.key);
        if (!key) {
            throw invalid_parameter(where + " names an unknown placeholder " + shown,
                                    "Use {actor}, {tool}, {action}, {object_type}, {object_id}, "
                                    "{old__COLUMN} or {new__COLUMN}.");
        }
        bool row_missing =
            (*key == TrackedKey::OldRow && (action == TrackedAction::Create || action == TrackedAction::Truncate)) ||
            (*key == TrackedKey::NewRow && (action == TrackedAction::Delete || action == TrackedAction::Truncate));
        if (row_missing) {
            throw invalid_parameter(where + " cannot use " + shown + ": a " + action_name(action) + " has no " +
                                    (*key == TrackedKey::OldRow ? "old" : "new") + " row");
        }
        if (*key == TrackedKey::ObjectId && action == TrackedAction::Truncate) {
            throw invalid_parameter(where + " cannot use {object_id}: a truncate concerns the whole table");
        }
        if (*key == TrackedKey::OldRow || *key == TrackedKey::NewRow) {
            const std::string& column = p.path.at(0);
            if (std::find(columns.begin(), columns.end(), column) == columns.end()) {
                throw invalid_parameter(where + " names an unknown column in " + shown + ": \"" + column + "\"");
            }
        }
    }
}

const char* action_name(TrackedAction action) { return kActionNames[static_cast<int>(action)]; }

const char* default_message(TrackedAction action) { return kDefaultMessages[static_cast<int>(action)]; }

std::optional<TrackedKey> tracked_key(const std::string& key) {
    if (key == "actor") return TrackedKey::Actor;
    if (key == "tool") return TrackedKey::Tool;
    if (key == "action") return TrackedKey::Action;
    if (key == "object_type") return TrackedKey::ObjectType;
    if (key == "object_id") return TrackedKey::ObjectId;
    if (has_prefix(key, "old__")) return TrackedKey::OldRow;
    if (has_prefix(key, "new__")) return TrackedKey::NewRow;
    return std::nullopt;
}

TrackingOptions TrackingOptions::from_json(std::string_view text) {
    nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        throw invalid_parameter("eventlog: tracking options must be a JSON object");

    TrackingOptions options;
    auto tool = doc.find("tool");
    if (tool == doc.end() || !tool->is_string())
        throw invalid_parameter("eventlog: tracking options need a \"tool\" string");
    options.tool = tool->get<std::string>();

    auto excluded = doc.find("exclude_columns");
    if (excluded != doc.end() && !excluded->is_null()) {
        if (!excluded->is_array()) throw invalid_parameter("eventlog_track: exclude_columns must be an array of names");
        for (const auto& column : *excluded) {
            if (!column.is_string())
                throw invalid_parameter("eventlog_track: exclude_columns must be an array of names");
            options.exclude_columns.push_back(column.get<std::string>());
        }
    }

    auto messages = doc.find("messages");
    if (messages != doc.end() && !messages->is_null()) {
        if (!messages->is_object())
            throw invalid_parameter("eventlog_track: messages must be a JSON object such as {\"update\": \"...\"}");
        for (const auto& [action, text_value] : messages->items()) {
            auto known = std::find(kActionNames.begin(), kActionNames.end(), action);
            if (known == kActionNames.end())
                throw invalid_parameter("eventlog_track: messages has an unknown action \"" + action + "\"",
                                        "Use create, update, delete or truncate.");
            if (text_value.is_null()) continue;
            if (!text_value.is_string())
                throw invalid_parameter("eventlog_track: the " + action + " message must be a string");
            options.messages[known - kActionNames.begin()] = text_value.get<std::string>();
        }
    }
    return options;
}

std::string TrackingOptions::message_for(TrackedAction action) const {
    const auto& own = messages[static_cast<int>(action)];
    return own ? *own : std::string(default_message(action));
}

void validate_tracking(const TrackingOptions& options, const std::vector<std::string>& columns) {
    for (const std::string& column : options.exclude_columns) {
        if (std::find(columns.begin(), columns.end(), column) == columns.end())
            throw invalid_parameter("eventlog_track: exclude_columns names an unknown column \"" + column + "\"");
    }
    for (int i = 0; i < kTrackedActions; ++i) {
        auto action = static_cast<TrackedAction>(i);
        validate_message(action, options.message_for(action), columns);
    }
}

}  // namespace eventlog
