// Options of a tracked table (eventlog_track): tool, excluded columns and
// per-action message templates. They travel as a small JSON text (the
// argument of the capture triggers, so pg_dump keeps them with the table);
// parsing and validating them is pure C++.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/message_template.hpp"

namespace eventlog {

enum class TrackedAction { Create = 0, Update = 1, Delete = 2, Truncate = 3 };
constexpr int kTrackedActions = 4;

/// "create", "update", "delete", "truncate"
const char* action_name(TrackedAction action);

/// The message recorded for an action that has no template of its own.
const char* default_message(TrackedAction action);

/// What a top-level placeholder of a tracked message names.
enum class TrackedKey { Actor, Tool, Action, ObjectType, ObjectId, OldRow, NewRow };

/// {actor}, {tool}, {action}, {object_type}, {object_id}; keys starting with
/// old__ or new__ name the old or new row (the next part of the path is the
/// column). Anything else: nullopt.
std::optional<TrackedKey> tracked_key(const std::string& key);

struct TrackingOptions {
    std::string tool;
    std::vector<std::string> exclude_columns;
    /// Per action (indexed by TrackedAction): the template, or nullopt for
    /// the default message.
    std::array<std::optional<std::string>, kTrackedActions> messages;

    /// Parses {"tool": ..., "exclude_columns": [...], "messages": {...}}.
    /// Throws eventlog::Error (22023) on anything malformed.
    static TrackingOptions from_json(std::string_view text);

    /// The template text an action renders (its own or the default).
    std::string message_for(TrackedAction action) const;
};

/// Checks one action's template against the table's columns (see below).
void validate_message(TrackedAction action, const std::string& text, const std::vector<std::string>& columns);

/// Checks the options against the table's columns: every excluded column
/// exists, every template parses and names only known placeholders and
/// columns ({old__...} is refused in create and truncate templates, {new__...}
/// in delete and truncate templates, {object_id} in truncate templates).
/// Throws eventlog::Error (22023) naming the action and the placeholder.
void validate_tracking(const TrackingOptions& options, const std::vector<std::string>& columns);

}  // namespace eventlog
