// The extras the implementation under test declares (impl_abi.h's
// tsh_impl_features): a case that needs one (the extras group's, and the
// few of other groups that lean on one) runs only where it is declared and
// is reported as skipped, naming the extra, never as passed, elsewhere.
#ifndef TSH_CONFORMANCE_TESTING_FEATURES_H_
#define TSH_CONFORMANCE_TESTING_FEATURES_H_

#include <cstdint>

#include <gtest/gtest.h>

#include "conformance/impl/impl_abi.h"

namespace tsh::test {

// Whether the implementation defines tsh_impl_features and sets `feature`.
bool Declares(tsh_impl_feature feature);

// "null arguments", "extensions".
const char* FeatureName(tsh_impl_feature feature);

}  // namespace tsh::test

// First statement of an extras case: skips it, saying why, unless declared.
#define TSH_REQUIRE_FEATURE(feature)                                            \
  do {                                                                          \
    if (!::tsh::test::Declares(feature)) {                                      \
      GTEST_SKIP() << "the implementation does not declare the extra '"         \
                   << ::tsh::test::FeatureName(feature) << "' (tsh_impl_features)"; \
    }                                                                           \
  } while (false)

#endif  // TSH_CONFORMANCE_TESTING_FEATURES_H_
