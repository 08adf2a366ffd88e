// The extensions are bound weakly (stream_failure.cc): linked against an
// implementation without them the adapters must see them as absent, and
// call nothing; linked against this project's callbacks, present. Built
// three ways (BUILD): with the extensions, and without them both as a
// static PIE executable and over shared libraries, where a weak reference
// resolved the wrong way would point into the executable instead of being
// null.
#include "bridge/stream_failure.h"

#include <elf.h>

#include <cstdio>

#include <gtest/gtest.h>

#include "bridge/callbacks.h"

#ifndef TSH_EXPECT_EXTENSIONS
#error "define TSH_EXPECT_EXTENSIONS to 0 or 1"
#endif

namespace tsh {
namespace {

TEST(WeakExtensions, TheTestIsAPositionIndependentExecutable) {
  FILE* self = std::fopen("/proc/self/exe", "rb");
  ASSERT_NE(self, nullptr);
  Elf64_Ehdr header{};
  ASSERT_EQ(std::fread(&header, sizeof header, 1, self), 1u);
  std::fclose(self);
  EXPECT_EQ(header.e_type, ET_DYN) << "not PIE: the weak binding is not tested where it matters";
}

TEST(WeakExtensions, PresentExactlyWhereTheImplementationDefinesThem) {
  // As in the adapters, a strong reference to the seven links the
  // implementation's object in; a weak one alone would not pull it out of
  // a static archive.
  ASSERT_NE(&tch_write_stream_write, nullptr);
  EXPECT_EQ(HasFlushExtension(), TSH_EXPECT_EXTENSIONS);
  EXPECT_EQ(HasLastErrorExtension(), TSH_EXPECT_EXTENSIONS);
}

TEST(WeakExtensions, CallsThroughThemAreSafeEitherWay) {
  // Without the extensions nothing is called; with them, this bridge's
  // answer for a null stream is false / none.
  EXPECT_FALSE(FlushWriteStream(nullptr));
  EXPECT_FALSE(LastWriteStreamError(nullptr).has_value());
  EXPECT_FALSE(LastReadStreamError(nullptr).has_value());
}

}  // namespace
}  // namespace tsh
