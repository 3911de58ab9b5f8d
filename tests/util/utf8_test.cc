// PrintableText and EscapeMarkup: what a hostile game server or config sends
// reaches a report, a verdict or a JUnit file as text, and nothing else.
#include "emulator/util/utf8.h"

#include <gtest/gtest.h>

#include <string>

#include "emulator/util/markup.h"

namespace imsemu {
namespace {

using namespace std::string_literals;

TEST(PrintableTextTest, KeepsWellFormedUtf8AndEscapesControlBytes) {
  EXPECT_EQ(PrintableText("naïve map ✓ 🙂"), "naïve map ✓ 🙂");
  EXPECT_EQ(PrintableText("a\0b"s), "a\\x00b");
  EXPECT_EQ(PrintableText("\x1b[31mred\x7f"), "\\x1b[31mred\\x7f");
  EXPECT_EQ(PrintableText("one\ntwo\tthree\r"), "one\\ntwo\\tthree\\r");
  EXPECT_EQ(PrintableText("one\ntwo\t", /*keep_newlines=*/true), "one\ntwo\t");
}

TEST(PrintableTextTest, EscapesEachByteThatIsNotUtf8) {
  EXPECT_EQ(PrintableText("\xed\xa0\x80 lone surrogate"), "\\xed\\xa0\\x80 lone surrogate");
  EXPECT_EQ(PrintableText("cut \xe2\x82"), "cut \\xe2\\x82");
  EXPECT_EQ(PrintableText("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(PrintableText("\xc0\xaf overlong /"), "\\xc0\\xaf overlong /");
  EXPECT_TRUE(IsValidUtf8(PrintableText("\xff\x00\xed\xa0\x80"s)));
}

TEST(EscapeMarkupTest, MakesWellFormedXmlText) {
  EXPECT_EQ(EscapeMarkup("<a href=\"x\">&'\x01\xff"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\\x01\\xff");
  EXPECT_EQ(EscapeMarkup("line\nline"), "line\nline");
}

}  // namespace
}  // namespace imsemu
