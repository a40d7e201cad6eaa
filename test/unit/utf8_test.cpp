// utf8_prefix_length: error excerpts never end in half a character.
#include "core/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

using eventlog::utf8_prefix_length;

TEST(Utf8Prefix, ShortTextIsKeptWhole) {
    EXPECT_EQ(utf8_prefix_length("abc", 10), 3u);
    EXPECT_EQ(utf8_prefix_length("", 0), 0u);
}

TEST(Utf8Prefix, AsciiIsCutWhereAsked) { EXPECT_EQ(utf8_prefix_length("abcdef", 4), 4u); }

TEST(Utf8Prefix, NeverSplitsACharacter) {
    // "aé" is 61 c3 a9; "a€" is 61 e2 82 ac; "a😀" is 61 f0 9f 98 80.
    EXPECT_EQ(utf8_prefix_length("a\xc3\xa9z", 2), 1u);
    EXPECT_EQ(utf8_prefix_length("a\xc3\xa9z", 3), 3u);
    EXPECT_EQ(utf8_prefix_length("a\xe2\x82\xacz", 2), 1u);
    EXPECT_EQ(utf8_prefix_length("a\xe2\x82\xacz", 3), 1u);
    EXPECT_EQ(utf8_prefix_length("a\xe2\x82\xacz", 4), 4u);
    EXPECT_EQ(utf8_prefix_length("a\xf0\x9f\x98\x80z", 4), 1u);
    EXPECT_EQ(utf8_prefix_length("a\xf0\x9f\x98\x80z", 5), 5u);
}

TEST(Utf8Prefix, EveryCutOfLongTextIsValid) {
    std::string text;
    for (int i = 0; i < 40; ++i) text += "x\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
    for (std::size_t limit = 0; limit <= text.size(); ++limit) {
        std::size_t n = utf8_prefix_length(text, limit);
        ASSERT_LE(n, limit);
        ASSERT_GE(n + 3, limit) << "cut more than one character short at " << limit;
        if (n < text.size()) {
            ASSERT_NE(static_cast<unsigned char>(text[n]) & 0xC0, 0x80) << "split at " << limit;
        }
    }
}

TEST(Utf8Prefix, InvalidBytesAreCutNoLongerThanAsked) {
    std::string stray(10, '\x80');
    EXPECT_EQ(utf8_prefix_length(stray, 6), 6u);
}
