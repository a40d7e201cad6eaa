#include "core/json_erase.hpp"

#include <algorithm>
#include <cstdint>

namespace eventlog {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

/// One replacement of the input: bytes [begin, end) become `text`.
struct Edit {
    std::size_t begin;
    std::size_t end;
    std::string text;
};

/// An open object or array. `erase_begin` is set on a container that is
/// itself an erased value: when it closes, its whole text is replaced.
struct Frame {
    bool object;
    bool first;
    std::size_t erase_begin;
};

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

class Walker {
public:
    Walker(std::string_view json, const JsonErasure& erasure) : s_(json), erasure_(erasure) {}

    bool run() {
        space();
        if (!value(nullptr)) return false;
        while (!stack_.empty()) {
            space();
            if (p_ >= s_.size()) return false;
            Frame& frame = stack_.back();
            char close = frame.object ? '}' : ']';
            if (s_[p_] == close) {
                ++p_;
                close_frame();
                continue;
            }
            if (!frame.first) {
                if (s_[p_] != ',') return false;
                ++p_;
                space();
            }
            frame.first = false;
            if (frame.object) {
                std::string key;
                if (!string(&key)) return false;
                space();
                if (p_ >= s_.size() || s_[p_] != ':') return false;
                ++p_;
                space();
                if (!value(&key)) return false;
            } else {
                if (!value(nullptr)) return false;
            }
        }
        space();
        return p_ == s_.size();
    }

    const std::vector<Edit>& edits() const { return edits_; }

private:
    void space() {
        while (p_ < s_.size() && is_space(s_[p_])) ++p_;
    }

    void close_frame() {
        std::size_t begin = stack_.back().erase_begin;
        stack_.pop_back();
        if (begin != kNone) {
            --suppressed_;
            erased(begin);
        }
    }

    /// The value at p_ was erased: it becomes the marker (unless it is the
    /// marker already).
    void erased(std::size_t begin) {
        if (suppressed_ > 0) return;
        std::string marker = json_string_literal(kErasedMarker);
        if (s_.substr(begin, p_ - begin) != marker) edits_.push_back({begin, p_, marker});
    }

    /// A value, the member `key`'s when key is set.
    bool value(const std::string* key) {
        if (p_ >= s_.size()) return false;
        char c = s_[p_];
        bool container = c == '{' || c == '[';
        bool erase = false;
        if (key != nullptr && suppressed_ == 0) {
            erase = erasure_.erases_key(*key) ||
                    (!container && erasure_.key_paths && stack_.size() == 1 && erasure_.erases_key_part(*key));
        }
        std::size_t begin = p_;
        if (container) {
            ++p_;
            if (erase) ++suppressed_;
            stack_.push_back({c == '{', true, erase ? begin : kNone});
            return true;
        }
        if (c == '"') {
            std::string text;
            if (!string(&text)) return false;
            if (erase) {
                erased(begin);
            } else if (suppressed_ == 0 && erasure_.replaces_value(text)) {
                std::string replacement = json_string_literal(erasure_.replacement);
                if (s_.substr(begin, p_ - begin) != replacement) edits_.push_back({begin, p_, replacement});
            }
            return true;
        }
        if (!scalar()) return false;
        if (erase) erased(begin);
        return true;
    }

    bool literal(std::string_view word) {
        if (s_.substr(p_, word.size()) != word) return false;
        p_ += word.size();
        return true;
    }

    bool scalar() {
        char c = s_[p_];
        if (c == 't') return literal("true");
        if (c == 'f') return literal("false");
        if (c == 'n') return literal("null");
        // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
        if (c == '-') ++p_;
        if (p_ >= s_.size() || !is_digit(s_[p_])) return false;
        if (s_[p_] == '0') {
            ++p_;
        } else {
            while (p_ < s_.size() && is_digit(s_[p_])) ++p_;
        }
        if (p_ < s_.size() && s_[p_] == '.') {
            ++p_;
            if (p_ >= s_.size() || !is_digit(s_[p_])) return false;
            while (p_ < s_.size() && is_digit(s_[p_])) ++p_;
        }
        if (p_ < s_.size() && (s_[p_] == 'e' || s_[p_] == 'E')) {
            ++p_;
            if (p_ < s_.size() && (s_[p_] == '+' || s_[p_] == '-')) ++p_;
            if (p_ >= s_.size() || !is_digit(s_[p_])) return false;
            while (p_ < s_.size() && is_digit(s_[p_])) ++p_;
        }
        return true;
    }

    bool hex4(std::uint32_t* out) {
        if (p_ + 4 > s_.size()) return false;
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            char c = s_[p_ + i];
            v <<= 4;
            if (c >= '0' && c <= '9') {
                v |= static_cast<std::uint32_t>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                v |= static_cast<std::uint32_t>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                v |= static_cast<std::uint32_t>(c - 'A' + 10);
            } else {
                return false;
            }
        }
        p_ += 4;
        *out = v;
        return true;
    }

    /// A string literal at p_, decoded into *out.
    bool string(std::string* out) {
        if (p_ >= s_.size() || s_[p_] != '"') return false;
        ++p_;
        while (p_ < s_.size()) {
            char c = s_[p_];
            if (c == '"') {
                ++p_;
                return true;
            }
            if (static_cast<unsigned char>(c) < 0x20) return false;
            if (c != '\\') {
                out->push_back(c);
                ++p_;
                continue;
            }
            if (++p_ >= s_.size()) return false;
            char e = s_[p_++];
            switch (e) {
                case '"': out->push_back('"'); break;
                case '\\': out->push_back('\\'); break;
                case '/': out->push_back('/'); break;
                case 'b': out->push_back('\b'); break;
                case 'f': out->push_back('\f'); break;
                case 'n': out->push_back('\n'); break;
                case 'r': out->push_back('\r'); break;
                case 't': out->push_back('\t'); break;
                case 'u': {
                    std::uint32_t cp = 0;
                    if (!hex4(&cp)) return false;
                    if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(p_, 2) == "\\u") {
                        std::size_t save = p_;
                        p_ += 2;
                        std::uint32_t low = 0;
                        if (hex4(&low) && low >= 0xDC00 && low < 0xE000) {
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        } else {
                            p_ = save;
                        }
                    }
                    append_utf8(*out, cp);
                    break;
                }
                default: return false;
            }
        }
        return false;
    }

    std::string_view s_;
    const JsonErasure& erasure_;
    std::size_t p_ = 0;
    std::vector<Frame> stack_;
    int suppressed_ = 0;  // > 0 inside a value that is erased whole
    std::vector<Edit> edits_;
};

}  // namespace

bool JsonErasure::erases_key(std::string_view key) const {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

bool JsonErasure::erases_key_part(std::string_view key) const {
    std::size_t start = 0;
    for (;;) {
        std::size_t next = key.find("__", start);
        if (erases_key(key.substr(start, next == std::string_view::npos ? std::string_view::npos : next - start)))
            return true;
        if (next == std::string_view::npos) return false;
        start = next + 2;
    }
}

bool JsonErasure::replaces_value(std::string_view value) const {
    return std::find(values.begin(), values.end(), value) != values.end();
}

std::optional<std::string> erase_json(std::string_view json, const JsonErasure& erasure) {
    Walker walker(json, erasure);
    if (!walker.run() || walker.edits().empty()) return std::nullopt;
    std::string out;
    out.reserve(json.size());
    std::size_t at = 0;
    for (const Edit& edit : walker.edits()) {
        out.append(json.substr(at, edit.begin - at));
        out.append(edit.text);
        at = edit.end;
    }
    out.append(json.substr(at));
    return out;
}

std::string json_string_literal(std::string_view s) {
    static const char* const kHex = "0123456789abcdef";
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    out += "\\u00";
                    out.push_back(kHex[(c >> 4) & 0xF]);
                    out.push_back(kHex[c & 0xF]);
                } else {
                    out.push_back(c);
                }
        }
    }
    out.push_back('"');
    return out;
}

}  // namespace eventlog
