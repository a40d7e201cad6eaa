// Erasing values from JSON text (eventlog_erase, eventlog_erase_actor).
//
// The text is walked once and copied byte for byte, except the values that
// are erased: the value of every member whose key is erased, at any depth
// (objects inside arrays included), becomes the marker "[erased]" (the key
// stays), and, for an actor's erasure, every string equal to the actor's
// name or id becomes the pseudonym. Pure C++: no PostgreSQL header.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventlog {

/// What an erased value becomes, in JSON and in rendered messages.
inline constexpr std::string_view kErasedMarker = "[erased]";

struct JsonErasure {
    /// Members with these keys have their values replaced by the marker.
    std::vector<std::string> keys;
    /// values_json's rule: a top-level key "prefix__a__b" holding a scalar
    /// is the value of the attribute path a.b, already rendered; it is
    /// erased when any `__`-separated part of the key is an erased key.
    bool key_paths = false;
    /// Strings equal to one of these (anywhere, keys excepted) become
    /// `replacement` (an actor's name and id, replaced by its pseudonym).
    std::vector<std::string> values;
    std::string replacement;

    bool erases_key(std::string_view key) const;
    /// Some `__`-separated part of `key` is an erased key.
    bool erases_key_part(std::string_view key) const;
    bool replaces_value(std::string_view value) const;
};

/// The JSON text with the erasure applied; nullopt when `json` is not JSON
/// text or when nothing in it is erased (already erased values included).
std::optional<std::string> erase_json(std::string_view json, const JsonErasure& erasure);

/// `s` as a JSON string literal (quotes and escapes).
std::string json_string_literal(std::string_view s);

}  // namespace eventlog
