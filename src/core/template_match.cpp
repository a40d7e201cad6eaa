#include "core/template_match.hpp"

namespace eventlog {

namespace {

class Matcher {
public:
    Matcher(const MessageTemplate& tmpl, std::string_view message, const std::vector<std::optional<std::string>>& known,
            std::size_t limit)
        : segments_(tmpl.segments()), message_(message), limit_(limit) {
        // The fixed text of each segment (literal or known placeholder), or
        // nullopt for a placeholder that matches anything.
        std::size_t placeholder = 0;
        for (const TemplateSegment& seg : segments_) {
            if (!seg.is_placeholder) {
                fixed_.emplace_back(seg.literal);
            } else {
                fixed_.push_back(placeholder < known.size() ? known[placeholder] : std::nullopt);
                ++placeholder;
            }
        }
        // can_[i][p]: segments i.. can match message[p..].
        std::size_t n = segments_.size();
        std::size_t length = message_.size();
        can_.assign(n + 1, std::vector<bool>(length + 1, false));
        can_[n][length] = true;
        for (std::size_t i = n; i-- > 0;) {
            if (fixed_[i]) {
                const std::string& text = *fixed_[i];
                for (std::size_t p = 0; p + text.size() <= length; ++p) {
                    can_[i][p] = can_[i + 1][p + text.size()] && message_.compare(p, text.size(), text) == 0;
                }
            } else {
                bool any = false;
                for (std::size_t p = length + 1; p-- > 0;) {
                    any = any || can_[i + 1][p];
                    can_[i][p] = any;
                }
            }
        }
    }

    std::vector<std::vector<std::string>> readings() {
        if (!can_[0][0]) return {};
        current_.clear();
        walk(0, 0);
        return std::move(found_);
    }

private:
    void walk(std::size_t i, std::size_t p) {
        if (found_.size() >= limit_) return;
        if (i == segments_.size()) {
            found_.push_back(current_);
            return;
        }
        if (fixed_[i]) {
            std::size_t next = p + fixed_[i]->size();
            bool placeholder = segments_[i].is_placeholder;
            if (placeholder) current_.push_back(*fixed_[i]);
            walk(i + 1, next);
            if (placeholder) current_.pop_back();
            return;
        }
        for (std::size_t q = p; q <= message_.size() && found_.size() < limit_; ++q) {
            if (!can_[i + 1][q]) continue;
            current_.emplace_back(message_.substr(p, q - p));
            walk(i + 1, q);
            current_.pop_back();
        }
    }

    const std::vector<TemplateSegment>& segments_;
    std::string_view message_;
    std::size_t limit_;
    std::vector<std::optional<std::string>> fixed_;
    std::vector<std::vector<bool>> can_;
    std::vector<std::string> current_;
    std::vector<std::vector<std::string>> found_;
};

}  // namespace

std::vector<std::vector<std::string>> template_readings(const MessageTemplate& tmpl, std::string_view message,
                                                        const std::vector<std::optional<std::string>>& known,
                                                        std::size_t limit) {
    constexpr std::size_t kMaxWork = 4u * 1024u * 1024u;
    if (limit == 0 || (message.size() + 1) * (tmpl.segments().size() + 1) > kMaxWork) return {};
    Matcher matcher(tmpl, message, known, limit);
    return matcher.readings();
}

std::string assemble_template(const MessageTemplate& tmpl, const std::vector<std::string>& texts) {
    std::string out;
    std::size_t placeholder = 0;
    for (const TemplateSegment& seg : tmpl.segments()) {
        if (!seg.is_placeholder) {
            out += seg.literal;
        } else if (placeholder < texts.size()) {
            out += texts[placeholder++];
        }
    }
    return out;
}

}  // namespace eventlog
