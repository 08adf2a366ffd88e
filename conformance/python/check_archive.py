"""Checks archives that the C++ bridge wrote, from Python PyTorch's side.

    PYTHON check_archive.py MANIFEST

PYTHON is a Python with PyTorch: Debian's /usr/bin/python3 (1.13) or the
PyPI PyTorch 2.11 that tools/setup installs.

MANIFEST is a sidecar (tensor_sidecar.py) naming each archive and the
tensors it must hold. Each archive is loaded with torch.jit.load; a "tensor"
row is the module's attribute (C++ torch::save stores its tensor as "0"), a
"parameter" row one of named_parameters(), which must hold no other names,
a "buffer" row one of named_buffers().
Each tensor must match its row's dtype, shape, requires_grad and raw bytes
exactly. All archives are checked in one run (importing torch is the slow
part).

Exit status: 0 all match; 1 a mismatch or an archive that does not load
(each printed); 2 a bad command line or manifest; 3 torch cannot be imported.
"""

import os
import sys

# The sidecar module sits in the source tree: leave no __pycache__ there.
sys.dont_write_bytecode = True

try:
    import torch
except ImportError as e:
    print(f"check_archive: cannot import torch ({e}) in {sys.executable}: "
          "run tools/setup and use one of its Pythons", file=sys.stderr)
    sys.exit(3)

import tensor_sidecar as sidecar


def check_tensor(row, got, manifest, problems):
    where = f"{row['archive']}:{row['name']}"
    want_dtype = sidecar.DTYPES[row["dtype"]]
    want_shape = sidecar.parse_shape(row["shape"])
    if got.dtype != want_dtype:
        problems.append(f"{where}: dtype {got.dtype}, want {want_dtype}")
        return
    if list(got.shape) != want_shape:
        problems.append(f"{where}: shape {list(got.shape)}, want {want_shape}")
        return
    if int(got.requires_grad) != int(row["requires_grad"]):
        problems.append(f"{where}: requires_grad {got.requires_grad}, "
                        f"want {row['requires_grad']}")
    with open(sidecar.raw_path(manifest, row), "rb") as f:
        want = f.read()
    if sidecar.tensor_bytes(got) != want:
        problems.append(f"{where}: bytes differ")


def main(manifest):
    try:
        rows = sidecar.read_manifest(manifest)
    except (OSError, ValueError) as e:
        print(f"check_archive: {e}", file=sys.stderr)
        return 2
    archives = {}
    for row in rows:
        archives.setdefault(row["archive"], []).append(row)
    problems = []
    for archive, wanted in archives.items():
        path = os.path.join(os.path.dirname(manifest), archive)
        try:
            module = torch.jit.load(path)
        except Exception as e:  # Any refusal is a finding to report.
            problems.append(f"{archive}: torch.jit.load failed: {e}")
            continue
        params = dict(module.named_parameters())
        buffers = dict(module.named_buffers())
        expected_params = {r["name"] for r in wanted if r["kind"] == "parameter"}
        if any(r["kind"] == "parameter" for r in wanted):
            extra = sorted(set(params) - expected_params)
            if extra:
                problems.append(f"{archive}: unexpected parameters {extra}")
        for row in wanted:
            if row["kind"] == "tensor":
                got = getattr(module, row["name"], None)
            elif row["kind"] == "parameter":
                got = params.get(row["name"])
            elif row["kind"] == "buffer":
                got = buffers.get(row["name"])
            else:
                print(f"check_archive: unknown kind {row['kind']!r}",
                      file=sys.stderr)
                return 2
            if not isinstance(got, torch.Tensor):
                problems.append(f"{archive}: no tensor {row['name']!r}")
                continue
            check_tensor(row, got, manifest, problems)
    for p in problems:
        print(f"MISMATCH {p}")
    print(f"check_archive: torch {torch.__version__}: {len(rows)} tensors in {len(archives)} archives, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: check_archive.py MANIFEST", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
