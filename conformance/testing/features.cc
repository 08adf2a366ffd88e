#include "conformance/testing/features.h"

// Optional (impl_abi.h): bound weakly, null where the implementation does
// not define it.
#pragma weak tsh_impl_features

namespace tsh::test {

bool Declares(tsh_impl_feature feature) {
  return tsh_impl_features != nullptr && (tsh_impl_features() & feature) != 0;
}

const char* FeatureName(tsh_impl_feature feature) {
  switch (feature) {
    case TSH_IMPL_NULL_ARGUMENTS:
      return "null arguments";
    case TSH_IMPL_EXTENSIONS:
      return "extensions";
  }
  return "unknown";
}

}  // namespace tsh::test
