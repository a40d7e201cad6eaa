// Reading a rendered message back along its template (eventlog_erase):
// which text each placeholder rendered, so that a message can be rendered
// again with some placeholders changed ("[erased]", a pseudonym) and every
// other character kept. Pure C++.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/message_template.hpp"

namespace eventlog {

/// The ways `message` reads as a rendering of `tmpl`: for each reading, the
/// text of each placeholder occurrence, in order. known[i], when set, is the
/// text the i-th placeholder is known to have rendered (it must be there);
/// the others match any text. At most `limit` readings are returned (the
/// caller treats `limit` readings as "too many to tell"); none when the
/// message does not read along the template, or is too long to try
/// (`message.size()` times the number of segments above 4 million).
std::vector<std::vector<std::string>> template_readings(const MessageTemplate& tmpl, std::string_view message,
                                                        const std::vector<std::optional<std::string>>& known,
                                                        std::size_t limit);

/// The template rendered with texts[i] for its i-th placeholder.
std::string assemble_template(const MessageTemplate& tmpl, const std::vector<std::string>& texts);

}  // namespace eventlog
