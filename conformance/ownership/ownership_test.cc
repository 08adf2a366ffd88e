// Ownership through every entry point of bridge/torch_api.h, over the
// implementation under test: the harness stream handed to an entry point is
// dropped exactly once and never used after the drop, on success, on bad
// arguments, on corrupt archives and with a fault at each callback call
// (read side in both modes, write side hardened; faithful write faults end
// the process and are in faithful_write_faults_test.cc). Every failure
// leaves a message in get_and_reset_last_err() whose first line keeps its
// promise (error_line.h; where a callback failed, it names the callback).
// Every case runs in a child
// process of its own (isolated_case.h). A faithful null stream reaches the
// implementation, so that case runs only where it declares null arguments
// (features.h). Hardened, a stream that fails for good costs at most one
// more callback call.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bridge/fault_stream.h"
#include "conformance/callbacks/rig.h"
#include "conformance/ownership/entry_points.h"
#include "conformance/testing/features.h"
#include "conformance/testing/isolated_case.h"
#include "testing/archive_edits.h"

namespace tsh::test {
namespace {

struct Case {
  Entry entry;
  Api api;
  Device device = Device::kAsSaved;
};

// "tsh_hardened_load_named_on_device".
std::string Name(Entry e, Api a, Device d) {
  return Name(a) + "_" + EntryName(e) + (d == Device::kMapped ? "_on_device" : "");
}

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  return Name(info.param.entry, info.param.api, info.param.device);
}

// Each entry point through each of `apis`; load_named twice, as saved and
// mapped to a device.
std::vector<Case> Cases(bool saves, bool loads, std::vector<Api> apis) {
  std::vector<Case> cases;
  for (Api a : apis) {
    if (saves) {
      cases.push_back({Entry::kSaveOne, a});
      cases.push_back({Entry::kSaveNamed, a});
    }
    if (loads) {
      cases.push_back({Entry::kLoadOne, a});
      cases.push_back({Entry::kLoadNamed, a});
      cases.push_back({Entry::kLoadNamed, a, Device::kMapped});
    }
  }
  return cases;
}

// A harness stream for `e`: an empty write side for a save, a read side
// over `archive` for a load.
Rig ForEntry(Entry e, const std::vector<uint8_t>& archive, FaultPlan plan = {}) {
  return IsSave(e) ? Rig(Side::kWrite, {}, std::move(plan))
                   : Rig(Side::kRead, archive, std::move(plan));
}

// A fault at call k of `op`: Interrupted once, as a signal interrupts one
// call; any other kind from call k on, as a stream that fails stays failed
// (a hardened adapter without the last_error extension retries a bare
// `false` once: stream_failure.h).
FaultPlan FaultAt(Op op, uint64_t k, ErrorKind kind) {
  if (kind == ErrorKind::kInterrupted) return FaultPlan().At(op, k, Fault::Err(kind));
  return FaultPlan().Every(op, 1, k, Fault::Err(kind));
}

void ExpectDroppedOnce(Rig& r) {
  EXPECT_EQ(r.harness().drops(), 1);
  EXPECT_EQ(r.harness().uses_after_drop(), 0);
}

// The outcome of a hardened call of `e` over a stream whose `op` fails from
// call k on: an error that names the callback, the stream dropped once, and
// k + 1 calls of `op`, one more where the implementation has no last_error
// extension (its bare `false` is retried once: stream_failure.h).
void ExpectFailedAfterOneMoreCallAtMost(Rig& r, Entry e, const Outcome& o, Op op, uint64_t k) {
  ExpectDroppedOnce(r);
  EXPECT_TRUE(o.error);
  ExpectNamesTheCallback(e, o);
  EXPECT_EQ(r.faults().calls(op), k + 1 + (Declares(TSH_IMPL_EXTENSIONS) ? 0 : 1));
}

// --- Every entry point, every API -----------------------------------------

class EveryEntryPoint : public ::testing::TestWithParam<Case> {};

TEST_P(EveryEntryPoint, SuccessDropsOnceWithoutError) {
  TSH_ISOLATED_CASE();
  const Case c = GetParam();
  std::vector<uint8_t> archive;
  if (!IsSave(c.entry)) {
    archive = ValidArchive(c.entry);
    ASSERT_FALSE(archive.empty());
  }
  Rig r = ForEntry(c.entry, archive);
  Outcome o = Call(c.entry, c.api, r.Release(), BadArg::kNone, c.device);
  ExpectDroppedOnce(r);
  EXPECT_FALSE(o.error) << *o.error;
  if (IsSave(c.entry)) {
    EXPECT_FALSE(r.cursor().data().empty());
  } else {
    EXPECT_TRUE(o.loaded);
  }
}

// A hardened entry point refuses a null stream itself, over any
// implementation, without calling a callback; a faithful one hands it to
// the implementation's destructor, as tch-rs's C++ does, so there the case
// needs the implementation's null arguments extra.
TEST_P(EveryEntryPoint, NullStreamLeavesAnError) {
  const Case c = GetParam();
  if (c.api.mode != Mode::kHardened) TSH_REQUIRE_FEATURE(TSH_IMPL_NULL_ARGUMENTS);
  TSH_ISOLATED_CASE();
  Outcome o = Call(c.entry, c.api, nullptr, BadArg::kNone, c.device);
  EXPECT_TRUE(o.error);
  EXPECT_FALSE(o.loaded);
}

INSTANTIATE_TEST_SUITE_P(All, EveryEntryPoint,
                         ::testing::ValuesIn(Cases(true, true, AllApis())), CaseName);

// --- Bad arguments ----------------------------------------------------------

struct BadCase {
  Entry entry;
  Api api;
  BadArg bad;
  Device device = Device::kAsSaved;
};

std::vector<BadCase> BadCases() {
  std::vector<BadCase> cases;
  for (Api a : AllApis()) {
    cases.push_back({Entry::kSaveOne, a, BadArg::kNullTensor});
    cases.push_back({Entry::kSaveNamed, a, BadArg::kNullArrays});
    cases.push_back({Entry::kSaveNamed, a, BadArg::kNullName});
    cases.push_back({Entry::kLoadNamed, a, BadArg::kNullCallback});
    cases.push_back({Entry::kLoadNamed, a, BadArg::kNullCallback, Device::kMapped});
  }
  return cases;
}

class BadArgument : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadArgument, DropsOnceAndLeavesAnError) {
  TSH_ISOLATED_CASE();
  const BadCase c = GetParam();
  std::vector<uint8_t> archive;
  if (!IsSave(c.entry)) {
    archive = ValidArchive(c.entry);
    ASSERT_FALSE(archive.empty());
  }
  Rig r = ForEntry(c.entry, archive);
  Outcome o = Call(c.entry, c.api, r.Release(), c.bad, c.device);
  ExpectDroppedOnce(r);
  EXPECT_TRUE(o.error);
  EXPECT_FALSE(o.loaded);
  // Hardened: refused before any read, write, seek or flush.
  if (c.api.mode == Mode::kHardened) EXPECT_EQ(r.harness().calls(), 0);
}

std::string BadCaseName(const ::testing::TestParamInfo<BadCase>& info) {
  const char* bad[] = {"none", "null_tensor", "null_arrays", "null_name", "null_callback"};
  return Name(info.param.entry, info.param.api, info.param.device) + "_" +
         bad[static_cast<int>(info.param.bad)];
}

INSTANTIATE_TEST_SUITE_P(All, BadArgument, ::testing::ValuesIn(BadCases()), BadCaseName);

// --- Loads: corrupt archives and a fault at each callback call --------------

// The archive is saved in each body, not in SetUp: SetUp runs in the parent
// process, before the case moves to its child.
class EveryLoad : public ::testing::TestWithParam<Case> {};

TEST_P(EveryLoad, CorruptArchiveDropsOnceAndLeavesAnError) {
  TSH_ISOLATED_CASE();
  const Case c = GetParam();
  const std::vector<uint8_t> archive = ValidArchive(c.entry);
  ASSERT_FALSE(archive.empty());
  std::vector<uint8_t> garbage(1000);
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<uint8_t>(i * 37 + 11);
  const std::vector<uint8_t> invalid_code = test::WithInvalidCode(archive);
  ASSERT_FALSE(invalid_code.empty());
  const std::vector<std::vector<uint8_t>> corrupt = {
      {},
      garbage,
      std::vector<uint8_t>(archive.begin(), archive.begin() + archive.size() / 2),
      std::vector<uint8_t>(archive.begin(), archive.end() - 100),
      // A sound container whose TorchScript LibTorch refuses, with a
      // message that begins with a blank line.
      invalid_code,
  };
  for (size_t i = 0; i < corrupt.size(); ++i) {
    SCOPED_TRACE("corruption " + std::to_string(i));
    Rig r(Side::kRead, corrupt[i]);
    Outcome o = Call(c.entry, c.api, r.Release(), BadArg::kNone, c.device);
    ExpectDroppedOnce(r);
    EXPECT_TRUE(o.error);
    EXPECT_FALSE(o.loaded);
  }
}

TEST_P(EveryLoad, FaultAtEachCallDropsOnce) {
  TSH_ISOLATED_CASE();
  const Case c = GetParam();
  const std::vector<uint8_t> archive = ValidArchive(c.entry);
  ASSERT_FALSE(archive.empty());
  // The calls a clean load makes, per operation.
  Rig clean(Side::kRead, archive);
  ASSERT_FALSE(Call(c.entry, c.api, clean.Release(), BadArg::kNone, c.device).error);
  int failed = 0;
  int runs = 0;
  for (Op op : {Op::kRead, Op::kSeek, Op::kPosition}) {
    const uint64_t n = clean.faults().calls(op);
    for (uint64_t k = 0; k < n; ++k) {
      for (ErrorKind kind : {ErrorKind::kOther, ErrorKind::kInterrupted}) {
        SCOPED_TRACE(std::string(OpName(op)) + " call " + std::to_string(k) + " " +
                     ErrorKindName(kind));
        Rig r(Side::kRead, archive, FaultAt(op, k, kind));
        Outcome o = Call(c.entry, c.api, r.Release(), BadArg::kNone, c.device);
        ExpectDroppedOnce(r);
        // Either the load survived the fault, or it failed with a message
        // that names the callback.
        EXPECT_NE(o.loaded, o.error.has_value());
        ExpectNamesTheCallback(c.entry, o);
        failed += o.error ? 1 : 0;
        ++runs;
      }
    }
  }
  EXPECT_GT(clean.faults().calls(Op::kRead), 0u);
  EXPECT_GT(failed, 0);
  ::testing::Test::RecordProperty("faulted_runs", runs);
  ::testing::Test::RecordProperty("failed_runs", failed);
}

INSTANTIATE_TEST_SUITE_P(All, EveryLoad, ::testing::ValuesIn(Cases(false, true, AllApis())),
                         CaseName);

// --- Hardened loads: what a failing stream costs ----------------------------

// What a stream whose read fails for good costs a hardened load.
class HardenedLoad : public ::testing::TestWithParam<Case> {};

TEST_P(HardenedLoad, PersistentErrorCostsAtMostOneMoreCall) {
  TSH_ISOLATED_CASE();
  const Case c = GetParam();
  const std::vector<uint8_t> archive = ValidArchive(c.entry);
  ASSERT_FALSE(archive.empty());
  // A hardened load of this small archive reads it in one call: fail that.
  const uint64_t k = 0;
  Rig r(Side::kRead, archive, FaultAt(Op::kRead, k, ErrorKind::kOther));
  ExpectFailedAfterOneMoreCallAtMost(
      r, c.entry, Call(c.entry, c.api, r.Release(), BadArg::kNone, c.device), Op::kRead, k);
}

INSTANTIATE_TEST_SUITE_P(All, HardenedLoad,
                         ::testing::ValuesIn(Cases(false, true, {Tsh(Mode::kHardened)})),
                         CaseName);

// --- Hardened saves: a fault at each callback call --------------------------

class HardenedSave : public ::testing::TestWithParam<Case> {};

TEST_P(HardenedSave, FaultAtEachCallDropsOnceAndLeavesAnError) {
  TSH_ISOLATED_CASE();
  const Case c = GetParam();
  Rig clean(Side::kWrite);
  ASSERT_FALSE(Call(c.entry, c.api, clean.Release()).error);
  const uint64_t writes = clean.faults().calls(Op::kWrite);
  const uint64_t flushes = clean.faults().calls(Op::kFlush);
  ASSERT_GT(writes, 0u);
  for (Op op : {Op::kWrite, Op::kFlush}) {
    const uint64_t n = op == Op::kWrite ? writes : flushes;
    for (uint64_t k = 0; k < n; ++k) {
      SCOPED_TRACE(std::string(OpName(op)) + " call " + std::to_string(k));
      Rig r(Side::kWrite, {}, FaultAt(op, k, ErrorKind::kOther));
      Outcome o = Call(c.entry, c.api, r.Release());
      ExpectDroppedOnce(r);
      EXPECT_TRUE(o.error);
      ExpectNamesTheCallback(c.entry, o);
    }
  }
}

// What a stream whose write fails for good costs a hardened save.
TEST_P(HardenedSave, PersistentErrorCostsAtMostOneMoreCall) {
  TSH_ISOLATED_CASE();
  const Case c = GetParam();
  Rig clean(Side::kWrite);
  ASSERT_FALSE(Call(c.entry, c.api, clean.Release()).error);
  // The last write of a clean save (a hardened save of a small tensor
  // gathers it into one): nothing may follow it but the one retry.
  const uint64_t k = clean.faults().calls(Op::kWrite) - 1;
  Rig r(Side::kWrite, {}, FaultAt(Op::kWrite, k, ErrorKind::kOther));
  ExpectFailedAfterOneMoreCallAtMost(r, c.entry, Call(c.entry, c.api, r.Release()), Op::kWrite,
                                     k);
}

INSTANTIATE_TEST_SUITE_P(All, HardenedSave,
                         ::testing::ValuesIn(Cases(true, false, {Tsh(Mode::kHardened)})),
                         CaseName);

}  // namespace
}  // namespace tsh::test
