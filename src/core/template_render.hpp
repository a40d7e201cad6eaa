// Rendering a parsed MessageTemplate against JSON values.
//
// The rules live here once, generic over how the JSON is stored: the server
// passes jsonb (src/pg/jsonb_node.hpp), unit tests pass nlohmann::json
// (test/support/nlohmann_node.hpp, for tests). A Node type provides:
//
//   JsonKind kind() const;
//   std::optional<Node> member(const std::string& key) const;  // objects only
//   std::string scalar_text() const;  // strings raw, numbers/booleans as JSON text
//   std::string json_text() const;    // arrays and objects as JSON text
#pragma once

#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/message_template.hpp"

namespace eventlog {

enum class JsonKind { Object, Array, String, Number, Bool, Null };

inline bool is_scalar(JsonKind k) { return k != JsonKind::Object && k != JsonKind::Array; }

/// The text one placeholder renders to, or an InvalidParameterValue error
/// naming the placeholder. `values` must be an object.
template <class Node>
std::string render_placeholder(const Node& values, const Placeholder& p) {
    const std::string shown = "{" + p.key + "}";
    std::optional<Node> value = values.member(p.key);
    if (!value) {
        throw invalid_parameter("message template placeholder " + shown + ": key \"" + p.key +
                                "\" is missing from values_json");
    }
    Node current = *value;
    // A scalar was already extracted by the caller: render it as it is.
    if (!is_scalar(current.kind())) {
        for (const std::string& attribute : p.path) {
            if (current.kind() != JsonKind::Object) {
                throw invalid_parameter("message template placeholder " + shown + ": attribute \"" + attribute +
                                        "\" cannot be looked up in a non-object value");
            }
            std::optional<Node> next = current.member(attribute);
            if (!next) {
                throw invalid_parameter("message template placeholder " + shown + ": attribute \"" + attribute +
                                        "\" is missing");
            }
            current = *next;
        }
    }
    switch (current.kind()) {
        case JsonKind::Null: return std::string();
        case JsonKind::Object:
        case JsonKind::Array: return current.json_text();
        default: return current.scalar_text();
    }
}

/// Renders the whole template. `values` must be an object.
template <class Node>
std::string render_template(const MessageTemplate& tmpl, const Node& values) {
    std::string out;
    for (const TemplateSegment& seg : tmpl.segments()) {
        if (seg.is_placeholder) {
            out += render_placeholder(values, seg.placeholder);
        } else {
            out += seg.literal;
        }
    }
    return out;
}

}  // namespace eventlog
