#include "bridge/torch_api.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/csrc/jit/serialization/import.h>
#include <torch/serialize.h>

#include "bridge/error_text.h"
#include "bridge/hardened_read_adapter.h"
#include "bridge/hardened_write_adapter.h"
#include "bridge/read_adapter.h"
#include "bridge/stream_failure.h"
#include "bridge/tensor_names.h"
#include "bridge/write_adapter.h"
#include "bridge/zip_check.h"

namespace {

using tsh::ErrorKind;

thread_local std::optional<tsh::Error> last_error;

// The LibTorch function an entry point is in, which the message of an
// exception from LibTorch names: `body` sets it before each call into
// LibTorch. Null before the first: the entry point's own checks.
using Calling = const char*;

// tch-rs's PROTECT: runs `body(calling)`, keeps any exception's message,
// first line first (error_text.h): "<operation>: " and the callback's
// failure, the argument error, or the LibTorch function and LibTorch's
// first line. Besides c10::Error, LibTorch throws other std::exceptions
// (TorchScript's import refuses source with a torch::jit::ErrorReport).
template <typename Body>
void Protect(const char* operation, Body&& body) {
  Calling calling = nullptr;
  auto text = [operation, &calling](const char* what, const char* outside_libtorch) {
    return tsh::ErrorText(operation, calling ? calling : outside_libtorch, what);
  };
  try {
    body(calling);
  } catch (const tsh::StreamFailure& e) {
    last_error = tsh::Error(e.kind(), tsh::ErrorText(operation, "", e.what()));
  } catch (const c10::Error& e) {
    last_error = tsh::Error(ErrorKind::kInvalidData, text(e.what_without_backtrace(), "LibTorch"));
  } catch (const std::exception& e) {
    last_error = tsh::Error(ErrorKind::kOther, text(e.what(), ""));
  } catch (...) {
    last_error = tsh::Error(ErrorKind::kOther, text("unknown exception", ""));
  }
}

void Require(bool condition, const char* what) {
  if (!condition) throw std::invalid_argument(what);
}

c10::Device DeviceOfInt(int device_id) {
  if (device_id < 0) return c10::Device(c10::kCPU);
  return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(device_id));
}

using Writer = std::function<size_t(const void*, size_t)>;
using Check = std::function<void()>;

// Makes the adapter of `stream_ptr` (so the stream is freed on every path
// after this), then checks the other arguments with `check`. Hardened mode
// refuses a bad argument before any I/O callback is called: a null stream
// is never handed to the implementation at all (tch-rs's destructor makes a
// Box of it, which Rust cannot take), and a bad tensor, name or callback is
// found before the first read or write, the stream only dropped. Faithful
// mode adopts the stream first, null or not, as tch-rs's C++ does.
template <typename Adapter>
std::shared_ptr<Adapter> Adopt(void* stream_ptr, tsh_mode mode, const char* entry,
                               const Check& check) {
  if (mode == TSH_HARDENED) Require(stream_ptr != nullptr, entry);
  auto adapter = std::make_shared<Adapter>(stream_ptr);
  Require(stream_ptr != nullptr, entry);
  check();
  return adapter;
}

// Runs `save(writer)` through the adapter of `mode` (Adopt says what comes
// first).
void SaveWith(void* stream_ptr, tsh_mode mode, const char* entry, const Check& check,
              const std::function<void(const Writer&)>& save) {
  if (mode == TSH_HARDENED) {
    auto adapter = Adopt<tsh::HardenedWriteAdapter>(stream_ptr, mode, entry, check);
    save([adapter](const void* data, size_t size) {
      return adapter->save(data, size);
    });
    tsh::Status done = adapter->Finish();
    if (!done.ok()) throw tsh::StreamFailure(done.error());
  } else {
    auto adapter = Adopt<tsh::WriteAdapter>(stream_ptr, mode, entry, check);
    save([adapter](const void* data, size_t size) {
      return adapter->save(data, size);
    });
  }
}

// The read adapter of `mode` (Adopt says what comes first); hardened, with
// the archive placed and checked.
std::shared_ptr<caffe2::serialize::ReadAdapterInterface> AdoptReader(
    void* stream_ptr, tsh_mode mode, const char* entry, const Check& check) {
  if (mode != TSH_HARDENED) return Adopt<tsh::ReadAdapter>(stream_ptr, mode, entry, check);
  auto adapter = Adopt<tsh::HardenedReadAdapter>(stream_ptr, mode, entry, check);
  const tsh::ZipReadAt read_at = [&](uint64_t pos, void* buf, size_t n) {
    return adapter->read(pos, buf, n, "zip check");
  };
  // The archive starts where the stream is; it may end before the stream
  // does (archives in a row).
  const uint64_t length = tsh::ZipArchiveLength(read_at, adapter->size());
  adapter->EndArchiveAt(length);
  // A malformed container makes LibTorch crash or allocate what the archive
  // claims (testdata/crashes/archive_fuzzer/): refuse it before LibTorch
  // parses it. The check's reads are served by the adapter's windows.
  tsh::Status zip = tsh::CheckZipStructure(read_at, length);
  if (!zip.ok()) throw tsh::StreamFailure(zip.error());
  return adapter;
}

// After a hardened load, the stream is left right after the archive, where
// the next one may start (hardened_read_adapter.h).
void LeaveStreamAfterArchive(
    const std::shared_ptr<caffe2::serialize::ReadAdapterInterface>& adapter) {
  if (auto* hardened = dynamic_cast<tsh::HardenedReadAdapter*>(adapter.get())) {
    hardened->SeekPastArchive();
  }
}

}  // namespace

extern "C" {

void tsh_save_to_stream(tensor t, void* stream_ptr, tsh_mode mode) {
  Protect("save_to_stream", [&](Calling& calling) {
    SaveWith(
        stream_ptr, mode, "save_to_stream: null stream",
        [&] { Require(t != nullptr, "save_to_stream: null tensor"); },
        [&](const Writer& writer) {
          calling = "torch::save";
          torch::save(*t, writer);
        });
  });
}

void tsh_save_multi_to_stream(tensor* tensors, char** tensor_names,
                              int ntensors, void* stream_ptr, tsh_mode mode) {
  Protect("save_multi_to_stream", [&](Calling& calling) {
    std::vector<std::string> names;
    SaveWith(
        stream_ptr, mode, "save_multi_to_stream: null stream",
        [&] {
          Require(ntensors >= 0, "save_multi_to_stream: negative count");
          Require(ntensors == 0 || (tensors != nullptr && tensor_names != nullptr),
                  "save_multi_to_stream: null arrays");
          for (int i = 0; i < ntensors; ++i) {
            Require(tensors[i] != nullptr && tensor_names[i] != nullptr,
                    "save_multi_to_stream: null tensor or name");
            names.emplace_back(tensor_names[i]);
          }
          // A name that would not come back is refused before anything is
          // written (tensor_names.h); tch-rs saves it.
          if (mode == TSH_HARDENED) {
            tsh::Status checked = tsh::CheckNamesRoundTrip(names);
            if (!checked.ok()) throw tsh::StreamFailure(checked.error());
          }
        },
        [&](const Writer& writer) {
          torch::serialize::OutputArchive archive;
          calling = "OutputArchive::write";
          for (int i = 0; i < ntensors; ++i) {
            archive.write(tsh::StoredName(names[i]), *tensors[i], /*is_buffer=*/false);
          }
          calling = "OutputArchive::save_to";
          archive.save_to(writer);
        });
  });
}

tensor tsh_load_from_stream(void* stream_ptr, tsh_mode mode) {
  tensor result = nullptr;
  Protect("load_from_stream", [&](Calling& calling) {
    auto adapter = AdoptReader(stream_ptr, mode, "load_from_stream: null stream", [] {});
    torch::NoGradGuard no_grad;
    torch::Tensor t;
    calling = "torch::load";
    torch::load(
        t,
        [adapter](uint64_t pos, void* buf, size_t nbytes) {
          return adapter->read(pos, buf, nbytes, "tensor");
        },
        [adapter]() { return adapter->size(); });
    LeaveStreamAfterArchive(adapter);
    result = new torch::Tensor(std::move(t));
  });
  return result;
}

void tsh_load_from_stream_callback(void* stream_ptr, void* data,
                                   void (*f)(void*, char*, tensor),
                                   bool enable_device_id, int device_id,
                                   tsh_mode mode) {
  Protect("load_from_stream_callback", [&](Calling& calling) {
    auto adapter = AdoptReader(stream_ptr, mode, "load_from_stream_callback: null stream", [&] {
      Require(f != nullptr, "load_from_stream_callback: null callback");
    });
    std::optional<c10::Device> device;
    if (enable_device_id) {
      calling = "c10::Device";
      device = DeviceOfInt(device_id);
    }
    calling = "torch::jit::load";
    torch::jit::Module module = device ? torch::jit::load(adapter, *device)
                                       : torch::jit::load(adapter);
    LeaveStreamAfterArchive(adapter);
    calling = "Module::named_parameters";
    for (const auto& p : module.named_parameters()) {
      f(data, const_cast<char*>(p.name.c_str()), new torch::Tensor(p.value));
    }
  });
}

void at_save_to_stream(tensor t, void* stream_ptr) {
  tsh_save_to_stream(t, stream_ptr, TSH_FAITHFUL);
}

void at_save_multi_to_stream(tensor* tensors, char** tensor_names, int ntensors,
                             void* stream_ptr) {
  tsh_save_multi_to_stream(tensors, tensor_names, ntensors, stream_ptr,
                           TSH_FAITHFUL);
}

tensor at_load_from_stream(void* stream_ptr) {
  return tsh_load_from_stream(stream_ptr, TSH_FAITHFUL);
}

void at_load_from_stream_callback(void* stream_ptr, void* data,
                                  void (*f)(void*, char*, tensor),
                                  bool enable_device_id, int device_id) {
  tsh_load_from_stream_callback(stream_ptr, data, f, enable_device_id,
                                device_id, TSH_FAITHFUL);
}

char* get_and_reset_last_err(void) {
  if (!last_error) return nullptr;
  char* err = strdup(last_error->message().c_str());
  last_error.reset();
  return err;
}

void at_free(tensor t) { delete t; }

}  // extern "C"

namespace tsh {

Status TakeLastStatus() {
  std::optional<Error> e = std::move(last_error);
  last_error.reset();
  if (e) return *e;
  return Ok();
}

}  // namespace tsh
