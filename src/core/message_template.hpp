// Message templates: "Item {item__name} was updated by {actor}."
//
// A template is parsed once into literal text and placeholders. The rules
// (README.md, Reference, "eventlog_render"):
//   {key}            looks up `key` in the values;
//   {prefix__a__b}   looks up the key "prefix__a__b", then follows the
//                    attribute path a, b into that value;
//   {{ and }}        are literal braces;
//   an empty placeholder or an unbalanced brace is an error.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace eventlog {

struct Placeholder {
    std::string key;                ///< the whole text between the braces
    std::vector<std::string> path;  ///< attribute path: the `__` parts after the first
};

struct TemplateSegment {
    bool is_placeholder = false;
    std::string literal;      ///< text to copy when !is_placeholder
    Placeholder placeholder;  ///< what to look up when is_placeholder
};

class MessageTemplate {
public:
    /// Parses `text`; throws eventlog::Error (InvalidParameterValue) naming
    /// the offending placeholder or brace.
    static MessageTemplate parse(std::string_view text);

    const std::vector<TemplateSegment>& segments() const noexcept { return segments_; }

    /// The placeholders in order of appearance (repeats included).
    std::vector<Placeholder> placeholders() const;

private:
    std::vector<TemplateSegment> segments_;
};

/// Splits a placeholder's text into its key and attribute path.
Placeholder make_placeholder(std::string_view key);

}  // namespace eventlog
