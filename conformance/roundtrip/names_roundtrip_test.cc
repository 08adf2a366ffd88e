// Tensor names at their edges, saved and loaded through the named entry
// points over the implementation under test, in both modes (the load is
// hardened: what the archive holds is the question). The names the loader
// reports are the stored ones, '|' for '.': tch-rs's Rust side turns them
// back (bridge/tensor_names.h).
//
// Pinned for the faithful save, as tch-rs does it (FINDINGS.md F24): names
// that collide once stored save without an error and one tensor comes
// back, the last; a name holding '|' or not UTF-8 saves; a name holding a
// newline, '"' or '\\' saves an archive that never loads (F25). The hardened
// save refuses those with InvalidInput and writes nothing. Both keep empty
// and 64 KiB names.
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "conformance/roundtrip/abi_round_trip.h"
#include "conformance/testing/isolated_case.h"

namespace tsh::test {
namespace {

struct Case {
  const char* label;
  std::vector<std::string> names;
  // What the faithful save's archive reports: names, and which input each
  // tensor came from.
  std::vector<std::pair<std::string, int>> faithful_loads;
  bool hardened_refuses;
  // The faithful save's archive does not load at all (FINDINGS.md F25).
  bool unloadable = false;
};

std::vector<Case> Cases() {
  const std::string long_name(65536, 'n');
  return {
      {"same_name_twice", {"w", "w"}, {{"w", 1}}, true},
      {"dot_and_pipe_collide", {"a.b", "a|b"}, {{"a|b", 1}}, true},
      {"pipe", {"a|b"}, {{"a|b", 0}}, true},
      {"not_utf8", {"x\xff\xfey"}, {{"x\xff\xfey", 0}}, true},
      {"empty", {""}, {{"", 0}}, false},
      {"64_KiB", {long_name}, {{long_name, 0}}, false},
      {"dots", {"..a.b"}, {{"||a|b", 0}}, false},
      {"newline", {"a\nb"}, {}, true, true},
      {"double_quote", {"a\"b"}, {}, true, true},
      {"backslash", {"a\\b"}, {}, true, true},
  };
}

class Names : public ::testing::TestWithParam<tsh_mode> {};

TEST_P(Names, EdgeCasesPinnedFaithfulRefusedOrKeptHardened) {
  TSH_ISOLATED_CASE();
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.label);
    AbiNamedTensors tensors;
    for (size_t i = 0; i < c.names.size(); ++i) {
      tensors.emplace_back(c.names[i], at::arange(static_cast<int64_t>(3 + i)));
    }
    Result<std::vector<uint8_t>> saved = AbiSaveNamed(tensors, GetParam());
    if (GetParam() == TSH_HARDENED && c.hardened_refuses) {
      ASSERT_FALSE(saved.ok()) << "saved a name that would not come back";
      EXPECT_EQ(saved.error().kind(), ErrorKind::kInvalidInput) << saved.error().ToString();
      continue;
    }
    ASSERT_TRUE(saved.ok()) << saved.error().ToString();
    Result<AbiNamedTensors> back = AbiLoadNamed(std::move(saved).value(), -1, TSH_HARDENED);
    if (c.unloadable) {
      EXPECT_FALSE(back.ok()) << "the archive loads: re-pin F25";
      continue;
    }
    ASSERT_TRUE(back.ok()) << back.error().ToString();
    ASSERT_EQ(back.value().size(), c.faithful_loads.size());
    for (size_t i = 0; i < c.faithful_loads.size(); ++i) {
      EXPECT_EQ(back.value()[i].first, c.faithful_loads[i].first);
      EXPECT_TRUE(back.value()[i].second.equal(tensors[c.faithful_loads[i].second].second));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(BothModes, Names, ::testing::Values(TSH_FAITHFUL, TSH_HARDENED),
                         [](const ::testing::TestParamInfo<tsh_mode>& info) {
                           return std::string(info.param == TSH_FAITHFUL ? "faithful" : "hardened");
                         });

}  // namespace
}  // namespace tsh::test
