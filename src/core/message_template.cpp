#include "core/message_template.hpp"

#include "core/error.hpp"
#include "core/utf8.hpp"

namespace eventlog {

namespace {

std::string quoted(std::string_view s) {
    std::string out = "\"";
    out.append(s);
    out.push_back('"');
    return out;
}

// Keeps error messages readable when the template is long.
std::string excerpt(std::string_view s) {
    constexpr std::size_t limit = 60;
    if (s.size() <= limit) return std::string(s);
    return std::string(s.substr(0, utf8_prefix_length(s, limit))) + "...";
}

}  // namespace

Placeholder make_placeholder(std::string_view key) {
    Placeholder p;
    p.key = std::string(key);
    // The first `__` part is only a readable prefix; the others are the path.
    std::size_t start = key.find("__");
    while (start != std::string_view::npos) {
        start += 2;
        std::size_t next = key.find("__", start);
        p.path.emplace_back(key.substr(start, next == std::string_view::npos ? std::string_view::npos : next - start));
        start = next;
    }
    return p;
}

MessageTemplate MessageTemplate::parse(std::string_view text) {
    MessageTemplate t;
    std::string literal;
    auto flush_literal = [&] {
        if (literal.empty()) return;
        TemplateSegment seg;
        seg.literal = std::move(literal);
        t.segments_.push_back(std::move(seg));
        literal.clear();
    };

    std::size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (c == '{') {
            if (i + 1 < text.size() && text[i + 1] == '{') {
                literal.push_back('{');
                i += 2;
                continue;
            }
            std::size_t close = text.find_first_of("{}", i + 1);
            if (close == std::string_view::npos || text[close] == '{') {
                std::string_view open =
                    text.substr(i, close == std::string_view::npos ? std::string_view::npos : close - i);
                throw invalid_parameter(
                    "unbalanced brace in message template: placeholder " + quoted(excerpt(open)) + " is not closed",
                    "Write {{ for a literal \"{\".");
            }
            if (close == i + 1) {
                throw invalid_parameter("empty placeholder \"{}\" in message template at offset " + std::to_string(i),
                                        "Name a key of values_json between the braces, or write {{}} for "
                                        "literal braces.");
            }
            flush_literal();
            TemplateSegment seg;
            seg.is_placeholder = true;
            seg.placeholder = make_placeholder(text.substr(i + 1, close - i - 1));
            t.segments_.push_back(std::move(seg));
            i = close + 1;
        } else if (c == '}') {
            if (i + 1 < text.size() && text[i + 1] == '}') {
                literal.push_back('}');
                i += 2;
                continue;
            }
            throw invalid_parameter(
                "unbalanced brace in message template: \"}\" at offset " + std::to_string(i) + " closes no placeholder",
                "Write }} for a literal \"}\".");
        } else {
            literal.push_back(c);
            ++i;
        }
    }
    flush_literal();
    return t;
}

std::vector<Placeholder> MessageTemplate::placeholders() const {
    std::vector<Placeholder> out;
    for (const auto& seg : segments_) {
        if (seg.is_placeholder) out.push_back(seg.placeholder);
    }
    return out;
}

}  // namespace eventlog
