// libFuzzer target: message template parsing (core/message_template) and
// rendering (core/template_render.hpp over nlohmann::json).
//
// Input: the template text up to the first newline; after it, the values as
// JSON. When there is no newline, or the rest is not a JSON object, a fixed
// values object (kDefaultValues) is used, so every input exercises rendering.
//
// Checked on every input (a violation aborts, which libFuzzer reports):
//   - parse and render either succeed or throw eventlog::Error with
//     InvalidParameterValue; no other exception escapes;
//   - parse agrees with an independent reading of the rules (README.md,
//     Reference, "eventlog_render"): same success or failure, same segments;
//   - a parsed template has no empty or adjacent literal segments, and each
//     placeholder's key is non-empty, brace-free, and split into its path;
//   - printing the segments back (braces doubled, placeholders as {key})
//     and parsing again gives the same segments;
//   - any text with its braces doubled parses to that text as one literal
//     and renders to it ({{ / }} round-trip);
//   - rendering is deterministic, a template without placeholders renders
//     its literals, and a render error names the failing placeholder.
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

using eventlog::Error;
using eventlog::ErrorCode;
using eventlog::MessageTemplate;
using eventlog::NlohmannNode;
using eventlog::Placeholder;
using eventlog::TemplateSegment;
using json = nlohmann::json;

namespace {

[[noreturn]] void fail(const char* what, std::string_view detail) {
    std::fprintf(stderr, "fuzz_template: invariant violated: %s\n  detail: %.*s\n", what,
                 static_cast<int>(detail.size()), detail.data());
    std::abort();
}

void check(bool ok, const char* what, std::string_view detail) {
    if (!ok) fail(what, detail);
}

const json& default_values() {
    static const json values = json::parse(R"({
        "a": 1, "b": "text", "n": null, "t": true, "f": 1.5, "neg": -7,
        "arr": [1, "x", null, {"k": "v"}],
        "item__name": {"id": 1, "name": "Cert A"},
        "user__profile__city": {"profile": {"city": "Oslo"}},
        "deep__a__b": {"a": 5},
        "x__n": {"n": null},
        "obj": {"a": {"b": {"c": "d"}}},
        "obj__a": {"a": {"b": 1}},
        "obj__a__b": {"a": {"b": [true]}},
        "obj__a__b__c": {"a": {"b": {"c": "d"}}},
        "__a": {"a": "leading"},
        "a__": {"": "empty attribute"},
        "": "empty key",
        "{": "brace", "}": "brace",
        "ключ": "значение"
    })");
    return values;
}

// The segments as data, for comparisons.
struct Seg {
    bool placeholder;
    std::string text;               // literal text or placeholder key
    std::vector<std::string> path;  // placeholders only
    bool operator==(const Seg& o) const { return placeholder == o.placeholder && text == o.text && path == o.path; }
};

std::vector<Seg> segs_of(const MessageTemplate& t) {
    std::vector<Seg> out;
    for (const TemplateSegment& s : t.segments()) {
        if (s.is_placeholder)
            out.push_back({true, s.placeholder.key, s.placeholder.path});
        else
            out.push_back({false, s.literal, {}});
    }
    return out;
}

// "a__b__c" -> path {"b", "c"}: split on "__" from the left, drop the first part.
std::vector<std::string> model_path(const std::string& key) {
    std::vector<std::string> parts;
    std::size_t from = 0;
    for (;;) {
        std::size_t at = key.find("__", from);
        if (at == std::string::npos) {
            parts.push_back(key.substr(from));
            break;
        }
        parts.push_back(key.substr(from, at - from));
        from = at + 2;
    }
    parts.erase(parts.begin());
    return parts;
}

// An independent reading of the template rules: nullopt means "an error".
std::optional<std::vector<Seg>> model_parse(std::string_view text) {
    std::vector<Seg> out;
    std::string literal;
    auto flush = [&] {
        if (!literal.empty()) out.push_back({false, literal, {}});
        literal.clear();
    };
    for (std::size_t i = 0; i < text.size();) {
        std::string_view rest = text.substr(i);
        if (rest.substr(0, 2) == "{{") {
            literal += '{';
            i += 2;
        } else if (rest.substr(0, 2) == "}}") {
            literal += '}';
            i += 2;
        } else if (rest[0] == '}') {
            return std::nullopt;
        } else if (rest[0] == '{') {
            std::string key;
            std::size_t j = 1;
            while (j < rest.size() && rest[j] != '{' && rest[j] != '}') key += rest[j++];
            if (j == rest.size() || rest[j] == '{' || key.empty()) return std::nullopt;
            flush();
            out.push_back({true, key, model_path(key)});
            i += j + 1;
        } else {
            literal += rest[0];
            ++i;
        }
    }
    flush();
    return out;
}

std::string double_braces(std::string_view s) {
    std::string out;
    for (char c : s) {
        out += c;
        if (c == '{' || c == '}') out += c;
    }
    return out;
}

std::string print(const std::vector<Seg>& segs) {
    std::string out;
    for (const Seg& s : segs) out += s.placeholder ? "{" + s.text + "}" : double_braces(s.text);
    return out;
}

// Parses, allowing only eventlog::Error(InvalidParameterValue) to escape.
std::optional<MessageTemplate> try_parse(std::string_view text) {
    try {
        return MessageTemplate::parse(text);
    } catch (const Error& e) {
        check(e.code() == ErrorCode::InvalidParameterValue, "parse error has code InvalidParameterValue", text);
        check(std::string_view(e.what()).find("message template") != std::string_view::npos,
              "parse error says \"message template\"", e.what());
        return std::nullopt;
    } catch (const std::exception& e) {
        fail("parse threw something other than eventlog::Error", e.what());
    }
}

// Renders; nullopt for an eventlog::Error, which must name a placeholder of the template.
std::optional<std::string> try_render(const MessageTemplate& t, const json& values) {
    try {
        return eventlog::render_template(t, NlohmannNode(values));
    } catch (const Error& e) {
        check(e.code() == ErrorCode::InvalidParameterValue, "render error has code InvalidParameterValue", e.what());
        bool names_one = false;
        for (const Placeholder& p : t.placeholders()) {
            // what() is a C string: a key with a NUL byte (not possible
            // from SQL text) shows up to that byte.
            std::string shown = "placeholder {" + p.key + "}";
            shown = shown.substr(0, shown.find('\0'));
            if (std::string_view(e.what()).find(shown) != std::string_view::npos) names_one = true;
        }
        check(names_one, "render error names a placeholder of the template", e.what());
        return std::nullopt;
    } catch (const std::exception& e) {
        fail("render threw something other than eventlog::Error", e.what());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t newline = input.find('\n');
    const std::string_view text = input.substr(0, newline);

    json parsed_values;
    const json* values = &default_values();
    if (newline != std::string_view::npos) {
        parsed_values = json::parse(input.substr(newline + 1), nullptr, false);
        if (!parsed_values.is_discarded() && parsed_values.is_object()) values = &parsed_values;
    }

    // {{ / }} round-trip: any text, braces doubled, is one literal of itself.
    {
        std::optional<MessageTemplate> escaped = try_parse(double_braces(text));
        check(escaped.has_value(), "a brace-doubled text parses", text);
        std::vector<Seg> segs = segs_of(*escaped);
        check(text.empty() ? segs.empty() : (segs.size() == 1 && !segs[0].placeholder && segs[0].text == text),
              "a brace-doubled text parses to one literal of itself", text);
        std::optional<std::string> rendered = try_render(*escaped, *values);
        check(rendered && *rendered == text, "a brace-doubled text renders to itself", text);
    }

    std::optional<MessageTemplate> tmpl = try_parse(text);
    std::optional<std::vector<Seg>> model = model_parse(text);
    check(tmpl.has_value() == model.has_value(), "parse succeeds exactly when the model's reading does", text);
    if (!tmpl) return 0;

    const std::vector<Seg> segs = segs_of(*tmpl);
    check(segs == *model, "parsed segments equal the model's", text);
    for (std::size_t i = 0; i < segs.size(); ++i) {
        const Seg& s = segs[i];
        if (s.placeholder) {
            check(!s.text.empty() && s.text.find_first_of("{}") == std::string::npos,
                  "a placeholder key is non-empty and brace-free", text);
        } else {
            check(!s.text.empty(), "no empty literal segment", text);
            check(i == 0 || segs[i - 1].placeholder, "no two adjacent literal segments", text);
        }
    }
    check(tmpl->placeholders().size() == static_cast<std::size_t>(std::count_if(
                                             segs.begin(), segs.end(), [](const Seg& s) { return s.placeholder; })),
          "placeholders() lists every placeholder segment", text);

    // Printing the segments back and parsing again is the identity on segments.
    {
        const std::string printed = print(segs);
        std::optional<MessageTemplate> again = try_parse(printed);
        check(again && segs_of(*again) == segs, "printed segments parse back to themselves", printed);
    }

    // Rendering is deterministic; literal-only templates render their literals.
    std::optional<std::string> first = try_render(*tmpl, *values);
    std::optional<std::string> second = try_render(*tmpl, *values);
    check(first == second, "rendering twice gives the same result", text);
    if (tmpl->placeholders().empty()) {
        std::string literals;
        for (const Seg& s : segs) literals += s.text;
        check(first && *first == literals, "a template without placeholders renders its literals", text);
    }
    // Each placeholder renders on its own exactly when it renders in the whole template.
    if (first) {
        std::string joined;
        for (const TemplateSegment& s : tmpl->segments())
            joined += s.is_placeholder ? eventlog::render_placeholder(NlohmannNode(*values), s.placeholder) : s.literal;
        check(joined == *first, "the render is the concatenation of its segments", text);
    }
    return 0;
}
