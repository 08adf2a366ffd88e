#include "testing/fixed_archives.h"

#include <cstdio>
#include <cstdlib>

#include <ATen/ATen.h>

#include "bridge/cursor.h"
#include "testing/tensors.h"

namespace tsh::test {
namespace {

FixedArchive Make(std::string label, bool named, NamedTensors tensors) {
  Cursor out;
  Status s = named ? SaveNamedTensors(tensors, out, Mode::kHardened)
                   : SaveTensor(tensors[0].second, out, Mode::kHardened);
  if (!s.ok()) {
    fprintf(stderr, "fixed archive %s: clean save failed: %s\n", label.c_str(),
            s.error().ToString().c_str());
    abort();
  }
  return FixedArchive{std::move(label), named, std::move(tensors), out.into_inner()};
}

std::vector<FixedArchive> Build() {
  std::vector<FixedArchive> all;
  all.push_back(Make("one:float32[3,4]", false, {{"", PatternTensor(at::kFloat, {3, 4}, 1)}}));
  all.push_back(Make("one:int64[5]", false, {{"", PatternTensor(at::kLong, {5}, 2)}}));
  all.push_back(Make("one:float64[]", false, {{"", PatternTensor(at::kDouble, {}, 3)}}));
  all.push_back(Make("one:bool[0,3]", false, {{"", at::zeros({0, 3}, at::kBool)}}));
  all.push_back(Make("one:uint8[300]", false, {{"", PatternTensor(at::kByte, {300}, 4)}}));
  all.push_back(Make("named:2", true,
                     {{"weight", PatternTensor(at::kFloat, {2, 2}, 5)},
                      {"layer.bias", PatternTensor(at::kInt, {3}, 6)}}));
  all.push_back(Make("named:1", true, {{"x", PatternTensor(at::kHalf, {4, 1}, 7)}}));
  // Larger than the hardened load's tail and its small reads, and than the
  // hardened save's gathering (hardened_read_adapter.h,
  // hardened_write_adapter.h): the paths of real checkpoints.
  all.push_back(Make("one:float32[8192]", false, {{"", PatternTensor(at::kFloat, {8192}, 8)}}));
  return all;
}

}  // namespace

const std::vector<FixedArchive>& FixedArchives() {
  static const std::vector<FixedArchive>* archives = new std::vector<FixedArchive>(Build());
  return *archives;
}

}  // namespace tsh::test
