// Save then load through each stream type, one tensor and named tensors, in
// both modes: the loaded values must be bit-exact.
#include <cstdlib>
#include <memory>
#include <string>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "bridge/buf_reader.h"
#include "bridge/buf_writer.h"
#include "bridge/by_ref.h"
#include "bridge/cursor.h"
#include "bridge/file_stream.h"
#include "bridge/tensor_io.h"
#include "testing/tensors.h"

namespace tsh {
namespace {

using test::BitEqual;
using test::NamedBitEqual;
using test::PatternTensor;

enum class Kind { kCursor, kFile, kBuffered, kByRef };

struct Case {
  Kind kind;
  Mode mode;
};

std::string Name(const ::testing::TestParamInfo<Case>& info) {
  const char* kinds[] = {"Cursor", "File", "BufWriterBufReader", "ByRef"};
  return std::string(kinds[static_cast<int>(info.param.kind)]) +
         (info.param.mode == Mode::kHardened ? "Hardened" : "Faithful");
}

// Saves with `save` into a stream of the case's kind, then loads with `load`
// from what was written.
class StreamRoundTrip : public ::testing::TestWithParam<Case> {
 protected:
  std::string Path() {
    const char* dir = std::getenv("TEST_TMPDIR");
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    return std::string(dir ? dir : "/tmp") + "/" + name + ".pt";
  }

  template <typename Save, typename Load>
  void RoundTrip(Save save, Load load) {
    const Mode mode = GetParam().mode;
    switch (GetParam().kind) {
      case Kind::kCursor: {
        Cursor c;
        ASSERT_TRUE(save(c, mode).ok());
        c.set_position(0);
        load(c, mode);
        break;
      }
      case Kind::kByRef: {
        Cursor c;
        WriteRef w(c);
        ASSERT_TRUE(save(w, mode).ok());
        ReadStreamRef r(c);
        ASSERT_TRUE(r.seek(SeekFrom::Start(0)).ok());
        load(r, mode);
        break;
      }
      case Kind::kFile: {
        {
          auto f = FileStream::Create(Path());
          ASSERT_TRUE(f.ok()) << f.error().ToString();
          ASSERT_TRUE(save(*f.value(), mode).ok());
        }
        auto f = FileStream::Open(Path());
        ASSERT_TRUE(f.ok()) << f.error().ToString();
        load(*f.value(), mode);
        break;
      }
      case Kind::kBuffered: {
        {
          auto f = FileStream::Create(Path());
          ASSERT_TRUE(f.ok()) << f.error().ToString();
          BufWriter w(std::move(f).value());
          ASSERT_TRUE(save(w, mode).ok());
        }  // Dropping the BufWriter flushes it, as in Rust.
        auto f = FileStream::Open(Path());
        ASSERT_TRUE(f.ok()) << f.error().ToString();
        BufReader r(std::move(f).value());
        load(r, mode);
        break;
      }
    }
  }
};

TEST_P(StreamRoundTrip, OneFloatTensorIsBitExact) {
  at::Tensor t = PatternTensor(at::kFloat, {3, 1000, 7});
  RoundTrip([&](Write& w, Mode m) { return SaveTensor(t, w, m); },
            [&](ReadStream& r, Mode m) {
              Result<at::Tensor> got = LoadTensor(r, m);
              ASSERT_TRUE(got.ok()) << got.error().ToString();
              std::string why;
              EXPECT_TRUE(BitEqual(t, got.value(), &why)) << why;
            });
}

TEST_P(StreamRoundTrip, NamedTensorsKeepNamesWithDotsAndValues) {
  NamedTensors saved = {
      {"encoder.layer.0.weight", PatternTensor(at::kFloat, {16, 8}, 1)},
      {"encoder.layer.0.bias", PatternTensor(at::kFloat, {16}, 2)},
      {"head", PatternTensor(at::kLong, {4, 4}, 3)},
      {"a.b.c.d", PatternTensor(at::kHalf, {0}, 4)},
  };
  RoundTrip([&](Write& w, Mode m) { return SaveNamedTensors(saved, w, m); },
            [&](ReadStream& r, Mode m) {
              Result<NamedTensors> got = LoadNamedTensors(r, std::nullopt, m);
              ASSERT_TRUE(got.ok()) << got.error().ToString();
              std::string why;
              EXPECT_TRUE(NamedBitEqual(saved, got.value(), &why)) << why;
            });
}

INSTANTIATE_TEST_SUITE_P(
    AllStreams, StreamRoundTrip,
    ::testing::Values(Case{Kind::kCursor, Mode::kFaithful},
                      Case{Kind::kCursor, Mode::kHardened},
                      Case{Kind::kFile, Mode::kFaithful},
                      Case{Kind::kFile, Mode::kHardened},
                      Case{Kind::kBuffered, Mode::kFaithful},
                      Case{Kind::kBuffered, Mode::kHardened},
                      Case{Kind::kByRef, Mode::kFaithful},
                      Case{Kind::kByRef, Mode::kHardened}),
    Name);

}  // namespace
}  // namespace tsh
