#include "conformance/ownership/entry_points.h"

#include <cstdlib>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "bridge/torch_api.h"
#include "conformance/callbacks/rig.h"
#include "conformance/testing/error_line.h"
#include "testing/tensors.h"

namespace tsh::test {
namespace {

std::optional<std::string> TakeError() {
  char* e = get_and_reset_last_err();
  if (e == nullptr) return std::nullopt;
  std::string s(e);
  std::free(e);
  return s;
}

void ExpectErrorLine(Entry e, const Outcome& o, ErrorOrigin origin) {
  if (!o.error) return;
  if (std::optional<std::string> problem = ErrorLineProblem(*o.error, e, origin)) {
    ADD_FAILURE() << CName(e) << ": " << *problem;
  }
}

void Collect(void* data, char* /*name*/, tensor t) {
  ++*static_cast<int*>(data);
  at_free(t);
}

}  // namespace

std::string Name(Api a) { return a.at ? "at" : std::string("tsh_") + ModeName(a.mode); }

std::vector<Api> AllApis() { return {kAt, Tsh(Mode::kFaithful), Tsh(Mode::kHardened)}; }

Outcome Call(Entry e, Api a, void* stream_ptr, BadArg bad, Device device) {
  // Cleared first, so that the outcome's error is this call's.
  TakeError();
  const bool at = a.at;
  const tsh_mode mode = CMode(a.mode);
  Outcome out;
  switch (e) {
    case Entry::kSaveOne: {
      at::Tensor t = PatternTensor(at::kFloat, {64}, 1);
      tensor arg = bad == BadArg::kNullTensor ? nullptr : &t;
      if (at) {
        at_save_to_stream(arg, stream_ptr);
      } else {
        tsh_save_to_stream(arg, stream_ptr, mode);
      }
      break;
    }
    case Entry::kSaveNamed: {
      at::Tensor w = PatternTensor(at::kFloat, {8, 8}, 2);
      at::Tensor b = PatternTensor(at::kFloat, {8}, 3);
      tensor ts[2] = {&w, &b};
      char name_w[] = "layer.weight";
      char name_b[] = "layer.bias";
      char* names[2] = {name_w, bad == BadArg::kNullName ? nullptr : name_b};
      const bool null_arrays = bad == BadArg::kNullArrays;
      const int n = null_arrays ? 1 : 2;
      if (at) {
        at_save_multi_to_stream(null_arrays ? nullptr : ts, null_arrays ? nullptr : names, n,
                                stream_ptr);
      } else {
        tsh_save_multi_to_stream(null_arrays ? nullptr : ts, null_arrays ? nullptr : names, n,
                                 stream_ptr, mode);
      }
      break;
    }
    case Entry::kLoadOne: {
      tensor t = at ? at_load_from_stream(stream_ptr) : tsh_load_from_stream(stream_ptr, mode);
      out.loaded = t != nullptr;
      at_free(t);
      break;
    }
    case Entry::kLoadNamed: {
      int count = 0;
      auto f = bad == BadArg::kNullCallback ? nullptr : &Collect;
      const bool mapped = device == Device::kMapped;
      if (at) {
        at_load_from_stream_callback(stream_ptr, &count, f, mapped, -1);
      } else {
        tsh_load_from_stream_callback(stream_ptr, &count, f, mapped, -1, mode);
      }
      out.loaded = count > 0;
      break;
    }
  }
  out.error = TakeError();
  ExpectErrorLine(e, out, ErrorOrigin::kAny);
  return out;
}

void ExpectNamesTheCallback(Entry e, const Outcome& o) {
  ExpectErrorLine(e, o, ErrorOrigin::kCallback);
}

std::vector<uint8_t> ValidArchive(Entry e) {
  Rig w(Side::kWrite);
  Outcome o = Call(e == Entry::kLoadOne ? Entry::kSaveOne : Entry::kSaveNamed,
                   Tsh(Mode::kHardened), w.Release());
  if (o.error) return {};
  return w.cursor().data();
}

}  // namespace tsh::test
