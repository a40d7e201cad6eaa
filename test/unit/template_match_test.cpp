// template_readings: which text each placeholder rendered in a message.
#include "core/template_match.hpp"

#include <gtest/gtest.h>

using eventlog::assemble_template;
using eventlog::MessageTemplate;
using eventlog::template_readings;
using Known = std::vector<std::optional<std::string>>;
using Readings = std::vector<std::vector<std::string>>;

TEST(TemplateMatch, KnownAndUnknown) {
    MessageTemplate t = MessageTemplate::parse("{new__name}: {old__status} -> {new__status} by {actor}.");
    Readings r =
        template_readings(t, "Cert A: active -> inactive by jane.", {std::nullopt, "active", "inactive", "jane"}, 8);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0], (std::vector<std::string>{"Cert A", "active", "inactive", "jane"}));
    EXPECT_EQ(assemble_template(t, {"[erased]", "active", "inactive", "jane"}),
              "[erased]: active -> inactive by jane.");
}

TEST(TemplateMatch, NoReading) {
    MessageTemplate t = MessageTemplate::parse("{a} was {b}");
    EXPECT_TRUE(template_readings(t, "something else", {std::nullopt, std::nullopt}, 8).empty());
    EXPECT_TRUE(template_readings(t, "x was y", {"z", std::nullopt}, 8).empty());  // a known text not there
    EXPECT_TRUE(template_readings(t, "x was y", {std::nullopt, std::nullopt}, 0).empty());
}

TEST(TemplateMatch, Ambiguous) {
    MessageTemplate t = MessageTemplate::parse("{first} {last}");
    Readings r = template_readings(t, "Mary Ann Smith", {std::nullopt, std::nullopt}, 8);
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0], (std::vector<std::string>{"Mary", "Ann Smith"}));
    EXPECT_EQ(r[1], (std::vector<std::string>{"Mary Ann", "Smith"}));
    EXPECT_EQ(template_readings(t, "a b c d e f", {std::nullopt, std::nullopt}, 3).size(), 3u);  // capped
    // Knowing one removes the doubt.
    EXPECT_EQ(template_readings(t, "Mary Ann Smith", {std::nullopt, "Smith"}, 8).size(), 1u);
}

TEST(TemplateMatch, BracesAndEmptyValues) {
    MessageTemplate t = MessageTemplate::parse("{{{a}}}{b}!");
    Readings r = template_readings(t, "{}x!", {std::nullopt, "x"}, 8);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0], (std::vector<std::string>{"", "x"}));
    EXPECT_EQ(assemble_template(t, {"1", "2"}), "{1}2!");
}

TEST(TemplateMatch, NoPlaceholders) {
    MessageTemplate t = MessageTemplate::parse("plain");
    EXPECT_EQ(template_readings(t, "plain", {}, 8).size(), 1u);
    EXPECT_TRUE(template_readings(t, "plain!", {}, 8).empty());
}

TEST(TemplateMatch, TooLongToTry) {
    MessageTemplate t = MessageTemplate::parse("{a}{b}{c}{d}");
    std::string message(2000000, 'x');
    EXPECT_TRUE(template_readings(t, message, {std::nullopt, std::nullopt, std::nullopt, std::nullopt}, 2).empty());
}
