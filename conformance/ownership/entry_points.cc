#include "conformance/ownership/entry_points.h"

#include <cstdlib>

#include <ATen/ATen.h>

#include "conformance/callbacks/rig.h"
#include "bridge/torch_api.h"
#include "conformance/testing/tensors.h"

namespace tsh::testing {
namespace {

std::optional<std::string> TakeError() {
  char* e = get_and_reset_last_err();
  if (e == nullptr) return std::nullopt;
  std::string s(e);
  std::free(e);
  return s;
}

void Collect(void* data, char* /*name*/, tensor t) {
  ++*static_cast<int*>(data);
  at_free(t);
}

tsh_mode ModeOf(Api a) { return a == Api::kTshHardened ? TSH_HARDENED : TSH_FAITHFUL; }

}  // namespace

bool IsSave(Entry e) { return e == Entry::kSave || e == Entry::kSaveMulti; }

std::string Name(Entry e) {
  switch (e) {
    case Entry::kSave:
      return "save_to_stream";
    case Entry::kSaveMulti:
      return "save_multi_to_stream";
    case Entry::kLoad:
      return "load_from_stream";
    case Entry::kLoadCallback:
      return "load_from_stream_callback";
    case Entry::kLoadCallbackOnDevice:
      return "load_from_stream_callback_on_device";
  }
  return "?";
}

std::string Name(Api a) {
  switch (a) {
    case Api::kAtFaithful:
      return "at";
    case Api::kTshFaithful:
      return "tsh_faithful";
    case Api::kTshHardened:
      return "tsh_hardened";
  }
  return "?";
}

std::vector<Entry> AllEntries() {
  return {Entry::kSave, Entry::kSaveMulti, Entry::kLoad, Entry::kLoadCallback,
          Entry::kLoadCallbackOnDevice};
}

std::vector<Api> AllApis() { return {Api::kAtFaithful, Api::kTshFaithful, Api::kTshHardened}; }

Outcome Call(Entry e, Api a, void* stream_ptr, BadArg bad) {
  // Cleared first, so that the outcome's error is this call's.
  TakeError();
  const bool at = a == Api::kAtFaithful;
  const tsh_mode mode = ModeOf(a);
  Outcome out;
  switch (e) {
    case Entry::kSave: {
      at::Tensor t = PatternTensor(at::kFloat, {64}, 1);
      tensor arg = bad == BadArg::kNullTensor ? nullptr : &t;
      if (at) {
        at_save_to_stream(arg, stream_ptr);
      } else {
        tsh_save_to_stream(arg, stream_ptr, mode);
      }
      break;
    }
    case Entry::kSaveMulti: {
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
    case Entry::kLoad: {
      tensor t = at ? at_load_from_stream(stream_ptr) : tsh_load_from_stream(stream_ptr, mode);
      out.loaded = t != nullptr;
      at_free(t);
      break;
    }
    case Entry::kLoadCallback:
    case Entry::kLoadCallbackOnDevice: {
      int count = 0;
      auto f = bad == BadArg::kNullCallback ? nullptr : &Collect;
      const bool device = e == Entry::kLoadCallbackOnDevice;
      if (at) {
        at_load_from_stream_callback(stream_ptr, &count, f, device, -1);
      } else {
        tsh_load_from_stream_callback(stream_ptr, &count, f, device, -1, mode);
      }
      out.loaded = count > 0;
      break;
    }
  }
  out.error = TakeError();
  return out;
}

std::vector<uint8_t> ValidArchive(Entry e) {
  Rig w(Side::kWrite);
  Outcome o = Call(e == Entry::kLoad ? Entry::kSave : Entry::kSaveMulti, Api::kTshHardened,
                   w.Release());
  if (o.error) return {};
  return w.cursor().data();
}

}  // namespace tsh::testing
