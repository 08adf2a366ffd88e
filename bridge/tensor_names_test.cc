#include "bridge/tensor_names.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace tsh {
namespace {

TEST(TensorNames, DotsAreStoredAsPipesAndLoadBack) {
  EXPECT_EQ(StoredName("layer.0.weight"), "layer|0|weight");
  EXPECT_EQ(LoadedName("layer|0|weight"), "layer.0.weight");
  EXPECT_EQ(LoadedName(StoredName("..a..")), "..a..");
}

TEST(TensorNames, NamesThatComeBackPass) {
  EXPECT_TRUE(CheckNamesRoundTrip({}).ok());
  EXPECT_TRUE(CheckNamesRoundTrip({"w", "layer.bias", "", std::string(65536, 'n')}).ok());
  EXPECT_TRUE(CheckNamesRoundTrip({"caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"}).ok());
}

void ExpectRefused(const std::vector<std::string>& names, const std::string& why) {
  Status s = CheckNamesRoundTrip(names);
  ASSERT_FALSE(s.ok()) << why;
  EXPECT_EQ(s.error().kind(), ErrorKind::kInvalidInput);
  EXPECT_NE(s.error().message().find(why), std::string::npos) << s.error().message();
}

TEST(TensorNames, CollisionsAreRefused) {
  ExpectRefused({"w", "x", "w"}, "one would overwrite the other");
  ExpectRefused({"a.b", "a|b"}, "'|'");
}

TEST(TensorNames, PipesAreRefused) { ExpectRefused({"a|b"}, "holds '|'"); }

TEST(TensorNames, NamesThatAreNotUtf8AreRefused) {
  for (const std::string bad : {"x\xff", "\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
                                "\xf4\x90\x80\x80", "\x80", "a\xe2\x82"}) {
    ExpectRefused({bad}, "not UTF-8");
  }
}

TEST(TensorNames, NamesLibTorchWritesUnescapedAreRefused) {
  for (const std::string bad : {"a\nb", "\n", "a\"b", "\"", "a\\b", "\\"}) {
    SCOPED_TRACE(bad);
    ExpectRefused({bad}, "never load");
  }
  EXPECT_TRUE(CheckNamesRoundTrip({"a\tb", "a\rb", "a'b", "a b"}).ok());
}

TEST(TensorNames, TheMessageIsOneLineWhateverTheName) {
  for (const std::string bad : {std::string("a\nb"), std::string("x\xff\x01|"),
                                std::string("w\0", 2) + "|"}) {
    Status s = CheckNamesRoundTrip({bad});
    ASSERT_FALSE(s.ok());
    const std::string& m = s.error().message();
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    EXPECT_EQ(m.find('\0'), std::string::npos) << m;
    EXPECT_EQ(m.find('\xff'), std::string::npos) << m;
  }
  EXPECT_NE(CheckNamesRoundTrip({"a\nb"}).error().message().find("'a\\nb'"), std::string::npos);
}

TEST(TensorNames, LongNamesAreShortenedInTheMessage) {
  Status s = CheckNamesRoundTrip({std::string(1000, 'x') + "|"});
  ASSERT_FALSE(s.ok());
  EXPECT_LT(s.error().message().size(), 200u);
}

}  // namespace
}  // namespace tsh
