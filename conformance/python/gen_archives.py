"""Writes the archives that Python PyTorch hands to the C++ bridge.

Run with each Python PyTorch whose archives testdata/python keeps, into its
folder (not with a pyenv python without torch):
    /usr/bin/python3 conformance/python/gen_archives.py testdata/python/1.13
    /opt/tensor-stream/torch-2.11.0/bin/python3 conformance/python/gen_archives.py testdata/python/2.11
It writes, into the given folder, archives that LibTorch's C++ loaders accept,
with a sidecar (tensor_sidecar.py) of the exact values expected back:

- one_<dtype>*.pt: one tensor, as C++ torch::load(tensor, read_fn, size_fn)
  reads it: a scripted module whose attribute "0" is the tensor (C++
  torch::save writes the same layout, as a parameter).
- scripted_net.pt: torch.jit.script of an nn.Module with nested parameters
  (dotted names), a frozen parameter and buffers, saved with torch.jit.save.
- pickled_tensor.pt: torch.save(tensor), Python's eager pickle archive, which
  is not a TorchScript archive; it is not in the manifest: the C++ side must
  refuse it cleanly.

The values are bytes from a seeded generator, so every bit pattern (NaN,
denormals, negative zero) can occur; running it again writes the same files
(it runs itself again under PYTHONHASHSEED=0: TorchScript writes a module's
constants in the order of a Python set). Scripting reads the module classes'
source, so this must run from a file.
"""

import os
import sys

# The sidecar module sits in the source tree: leave no __pycache__ there.
sys.dont_write_bytecode = True

import numpy as np
import torch

import tensor_sidecar as sidecar


def pattern(dtype, shape, seed):
    """A tensor of dtype/shape whose bytes come from a seeded generator."""
    t = torch.empty(shape, dtype=dtype)
    nbytes = t.numel() * t.element_size()
    raw = np.random.default_rng(seed).integers(0, 256, nbytes, dtype=np.uint8)
    if dtype == torch.bool:
        raw &= 1  # Only 0 and 1 are bools.
    flat = torch.from_numpy(raw.copy())
    if nbytes:
        t.reshape(-1).view(torch.uint8).copy_(flat)  # A view: t is contiguous.
    return t


class Holder(torch.nn.Module):
    """One tensor as attribute "0", the layout of C++ torch::save."""

    def __init__(self, tensor, requires_grad, as_buffer):
        super().__init__()
        if as_buffer:
            self.register_buffer("0", tensor)
        else:
            self.register_parameter(
                "0", torch.nn.Parameter(tensor, requires_grad=requires_grad))

    def forward(self):
        return 0


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(4, 3)
        self.register_buffer("scale", torch.ones(3))

    def forward(self, x):
        return self.fc(x) * self.scale


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.bn = torch.nn.BatchNorm1d(3)
        self.gain = torch.nn.Parameter(torch.ones((), dtype=torch.float64))
        self.frozen = torch.nn.Parameter(torch.ones(2, 2), requires_grad=False)
        self.table = torch.nn.Parameter(torch.ones(3, 5, dtype=torch.bfloat16))
        self.register_buffer("step", torch.zeros((), dtype=torch.int64))
        self.register_buffer("mask", torch.zeros(6, dtype=torch.bool))

    def forward(self, x):
        return self.bn(self.block(x))


ONE_TENSOR = [
    # (file stem, dtype, shape, requires_grad, as_buffer)
    ("one_float16", torch.float16, [2, 3], False, False),
    ("one_float32", torch.float32, [4, 1, 3, 2], False, False),
    ("one_float64", torch.float64, [5], False, False),
    ("one_bfloat16", torch.bfloat16, [2, 3], False, False),
    ("one_complex64", torch.complex64, [3, 2], False, False),
    ("one_complex128", torch.complex128, [2], False, False),
    ("one_int8", torch.int8, [7], False, False),
    ("one_int16", torch.int16, [2, 2], False, False),
    ("one_int32", torch.int32, [3, 3], False, False),
    ("one_int64", torch.int64, [4], False, False),
    ("one_uint8", torch.uint8, [2, 5], False, False),
    ("one_bool", torch.bool, [9], False, False),
    ("one_float32_scalar", torch.float32, [], False, False),
    ("one_int64_empty", torch.int64, [3, 0, 2], False, False),
    ("one_float32_requires_grad", torch.float32, [2, 2], True, False),
    ("one_float32_buffer", torch.float32, [3], False, True),
]


def raw_row(out, archive, kind, name, tensor, requires_grad):
    raw = f"{archive[:-3]}.{name}.bin"
    with open(os.path.join(out, raw), "wb") as f:
        f.write(sidecar.tensor_bytes(tensor))
    return {
        "archive": archive,
        "kind": kind,
        "name": name,
        "dtype": sidecar.NAMES[tensor.dtype],
        "shape": sidecar.format_shape(tensor.shape),
        "requires_grad": int(requires_grad),
        "raw": raw,
    }


def main(out):
    os.makedirs(out, exist_ok=True)
    rows = []
    for seed, (stem, dtype, shape, requires_grad, as_buffer) in enumerate(ONE_TENSOR):
        t = pattern(dtype, shape, seed)
        module = torch.jit.script(Holder(t.clone(), requires_grad, as_buffer))
        torch.jit.save(module, os.path.join(out, stem + ".pt"))
        rows.append(raw_row(out, stem + ".pt", "tensor", "0", t, requires_grad))

    net = Net()
    with torch.no_grad():
        for seed, (name, p) in enumerate(net.named_parameters(), start=100):
            p.copy_(pattern(p.dtype, list(p.shape), seed))
        for seed, (name, b) in enumerate(net.named_buffers(), start=200):
            b.copy_(pattern(b.dtype, list(b.shape), seed))
    torch.jit.save(torch.jit.script(net), os.path.join(out, "scripted_net.pt"))
    for name, p in net.named_parameters():
        rows.append(raw_row(out, "scripted_net.pt", "parameter", name, p,
                            p.requires_grad))
    for name, b in net.named_buffers():
        rows.append(raw_row(out, "scripted_net.pt", "buffer", name, b, False))

    torch.save(pattern(torch.float32, [4], 300),
               os.path.join(out, "pickled_tensor.pt"))
    sidecar.write_manifest(os.path.join(out, "manifest.tsv"), rows)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: gen_archives.py OUTPUT_DIR")
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable] + sys.argv,
                  dict(os.environ, PYTHONHASHSEED="0"))
    main(sys.argv[1])
