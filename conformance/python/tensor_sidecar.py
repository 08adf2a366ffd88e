"""The sidecar format shared by the Python peers and the C++ tests.

A sidecar describes the tensors an archive must hold, so that the other side
can compare bit-exactly without running the writer again:

- manifest.tsv: one tensor a line, tab-separated columns
    archive  kind  name  dtype  shape  requires_grad  raw
  kind is "tensor" (the one tensor of a torch::save archive, attribute "0"),
  "parameter" or "buffer" (of a scripted module); name is the name inside the
  archive; dtype is PyTorch's name without "torch." (float32, bfloat16, ...);
  shape is "[2,3]" ("[]" for 0-d); requires_grad is 0 or 1 as saved; raw is
  the file, beside the manifest, holding the tensor's bytes in row-major order,
  little-endian. Lines starting with "#" are comments.
conformance/python/sidecar.h reads and writes the same format in C++.
"""

import os

import torch

DTYPES = {
    "float16": torch.float16,
    "float32": torch.float32,
    "float64": torch.float64,
    "bfloat16": torch.bfloat16,
    "complex64": torch.complex64,
    "complex128": torch.complex128,
    "int8": torch.int8,
    "int16": torch.int16,
    "int32": torch.int32,
    "int64": torch.int64,
    "uint8": torch.uint8,
    "bool": torch.bool,
}
NAMES = {v: k for k, v in DTYPES.items()}
COLUMNS = ["archive", "kind", "name", "dtype", "shape", "requires_grad", "raw"]


def tensor_bytes(t):
    """Row-major little-endian bytes of t (a CPU tensor), every bit kept."""
    t = t.detach().contiguous()
    if t.is_complex():
        t = torch.view_as_real(t)
    elif t.dtype in (torch.float16, torch.bfloat16):
        t = t.view(torch.int16)  # numpy has no bfloat16; keep the bits.
    elif t.dtype == torch.bool:
        t = t.to(torch.uint8)
    a = t.numpy()
    return a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()


def format_shape(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def parse_shape(text):
    inner = text.strip()[1:-1]
    return [int(d) for d in inner.split(",")] if inner else []


def write_manifest(path, rows):
    with open(path, "w") as f:
        f.write("# " + "\t".join(COLUMNS) + "\n")
        for row in rows:
            f.write("\t".join(str(row[c]) for c in COLUMNS) + "\n")


def read_manifest(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != len(COLUMNS):
                raise ValueError(f"{path}: bad line {line!r}")
            rows.append(dict(zip(COLUMNS, fields)))
    return rows


def raw_path(manifest_path, row):
    return os.path.join(os.path.dirname(manifest_path), row["raw"])
