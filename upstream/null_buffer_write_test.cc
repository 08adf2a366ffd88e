// F21: LibTorch hands a stream's writer function a null buffer. Saving a
// tensor with no elements through a writer function (what tch-rs's
// at_save_to_stream and at_save_multi_to_stream use) calls it with
// (nullptr, 0): the record of the empty storage is written from the
// storage's data pointer, which is null, and miniz passes it on
// (PyTorchStreamWriter::writeRecord -> mz_zip_writer_add_mem_ex_v2 -> the
// writer function). tch-rs turns every call into
// `slice::from_raw_parts(buf, size)`, which is undefined behaviour for a
// null pointer even with size 0, and which a debug build of Rust >= 1.78
// checks: the save panics inside an extern "C" function and aborts.
//
// Standalone: LibTorch's C++ API and the standard library only. It saves an
// empty tensor with torch::save, and an OutputArchive holding an empty and
// a non-empty tensor, through a writer function that records every call,
// and prints each null-buffer call's index, size and offset; a non-empty
// tensor alone, for contrast. Exit status 0 when the counts are the ones
// pinned for this LibTorch version and the archives still load right.
#include <torch/torch.h>

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "libtorch_version.h"

namespace {

struct Recorded {
  std::vector<uint8_t> bytes;
  size_t calls = 0;
  size_t null_calls = 0;
  size_t null_with_size = 0;
};

std::function<size_t(const void*, size_t)> Recorder(Recorded* r, const char* what) {
  return [r, what](const void* buf, size_t n) -> size_t {
    if (buf == nullptr) {
      std::printf("%s: write call %zu is (nullptr, %zu) at offset %zu\n", what, r->calls, n,
                  r->bytes.size());
      ++r->null_calls;
      if (n != 0) ++r->null_with_size;
    } else {
      const auto* p = static_cast<const uint8_t*>(buf);
      r->bytes.insert(r->bytes.end(), p, p + n);
    }
    ++r->calls;
    return n;
  };
}

// Null-buffer calls of a save holding one empty tensor, per LibTorch
// version (measured); -1 where none is pinned.
int PinnedNullCalls() {
  const std::string v = TSH_LIBTORCH_VERSION;
  if (v == "1.13" || v == "2.11") return 1;
  return -1;
}

}  // namespace

int main() {
  const torch::Tensor empty = torch::empty({0});
  const torch::Tensor full = torch::arange(1000, torch::kFloat32);

  Recorded one;
  torch::save(empty, Recorder(&one, "torch::save(empty)"));
  Recorded named;
  torch::serialize::OutputArchive archive;
  archive.write("empty", empty, /*is_buffer=*/false);
  archive.write("full", full, /*is_buffer=*/false);
  archive.save_to(Recorder(&named, "OutputArchive::save_to(empty, full)"));
  Recorded contrast;
  torch::save(full, Recorder(&contrast, "torch::save(full)"));

  torch::Tensor back;
  torch::load(back, reinterpret_cast<const char*>(one.bytes.data()), one.bytes.size());
  torch::serialize::InputArchive in;
  in.load_from(reinterpret_cast<const char*>(named.bytes.data()), named.bytes.size());
  torch::Tensor back_empty, back_full;
  in.read("empty", back_empty);
  in.read("full", back_full);
  const bool intact = back.numel() == 0 && back_empty.numel() == 0 && back_full.equal(full);

  std::printf("LibTorch %s: null-buffer calls: torch::save(empty) %zu of %zu, "
              "save_to(empty, full) %zu of %zu, torch::save(full) %zu of %zu; "
              "with a non-zero size: %zu; archives %s\n",
              TSH_LIBTORCH_VERSION, one.null_calls, one.calls, named.null_calls, named.calls,
              contrast.null_calls, contrast.calls, one.null_with_size + named.null_with_size,
              intact ? "load right" : "DAMAGED");
  const int pinned = PinnedNullCalls();
  if (pinned < 0) {
    std::printf("no pin for LibTorch %s: add the counts above to PinnedNullCalls()\n",
                TSH_LIBTORCH_VERSION);
    return 1;
  }
  const bool as_pinned = one.null_calls == static_cast<size_t>(pinned) &&
                         named.null_calls == static_cast<size_t>(pinned) &&
                         contrast.null_calls == 0 &&
                         one.null_with_size + named.null_with_size == 0 && intact;
  if (!as_pinned) std::printf("differs from the pin: %d null-buffer call(s) per empty tensor\n", pinned);
  return as_pinned ? 0 : 1;
}
