// Cutting UTF-8 text short without cutting a character in two: error
// messages quote the caller's input, and half a character would make the
// message itself invalid text. Pure C++.
#pragma once

#include <cstddef>
#include <string_view>

namespace eventlog {

/// The length of the longest prefix of `s` of at most `max_bytes` bytes that
/// ends on a character boundary (continuation bytes 10xxxxxx never start a
/// character). Invalid UTF-8 is cut at `max_bytes` or just before a stray
/// continuation byte: never longer than `max_bytes`.
inline std::size_t utf8_prefix_length(std::string_view s, std::size_t max_bytes) {
    if (s.size() <= max_bytes) return s.size();
    std::size_t n = max_bytes;
    // Back off over continuation bytes to the start of the character that
    // straddles the cut (at most 3 of them in valid UTF-8).
    while (n > 0 && max_bytes - n < 4 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    if (max_bytes - n >= 4) n = max_bytes;  // not UTF-8 there: cut where asked
    return n;
}

}  // namespace eventlog
