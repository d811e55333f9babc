#!/usr/bin/env python3
"""The numpy half of the tensor interop tests (tensor_interop.cpp has the C++ half).

    tensors_numpy.py check DIR   numpy.load reads DIR/model.npz; DIR/model.safetensors is read by a
                                 reader written from the published format (json + numpy.frombuffer);
                                 every value is compared with the formula both sides share
    tensors_numpy.py write DIR   writes DIR/python.safetensors the same way, for the C++ side to load

Exits 77 (CTest's skip) when numpy cannot be imported.
"""
import json
import struct
import sys

try:
    import numpy as np
except ImportError:
    print("SKIP: python3-numpy is not installed (Debian: apt-get install python3-numpy)")
    sys.exit(77)

# name -> (k, shape, dtype): the table tensor_interop.cpp's fill_model() fills.
TENSORS = {
    "f64": (1, [3, 4], "F64"), "f32_row": (2, [2, 5], "F32"), "f32_col": (3, [5, 2], "F32"),
    "f16": (4, [2, 3], "F16"), "i64": (5, [2, 2], "I64"), "i32": (6, [3, 1], "I32"),
    "i16": (7, [1, 3], "I16"), "i8": (8, [2, 2], "I8"), "u8": (9, [2, 3], "U8"),
    "flags": (10, [3, 3], "BOOL"), "bias": (11, [4], "F32"), "row": (12, [5], "F64"),
    "fixed": (13, [3, 3], "F32"), "layers.0.w": (14, [4, 3], "F32"), "layers.0.b": (15, [4], "F32"),
    "layers.1.w": (16, [2, 4], "F32"), "layers.1.b": (17, [2], "F32"), "bf16": (18, [3, 2], "BF16"),
}
NUMPY = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
         "I8": "i1", "U8": "u1", "BOOL": "?"}


def expected(name, k):
    shape = TENSORS[name][1]
    rows, cols = (shape[0], shape[1]) if len(shape) == 2 else ((1, shape[0]) if name == "row" else (shape[0], 1))
    r, c = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    if TENSORS[name][2] == "BOOL":
        values = (k + r + c) % 2 == 1
    else:
        values = (k * 1000 + r * 37 + c * 3) % 251
        if TENSORS[name][2] != "U8":
            values = values - 125
    return values.reshape(shape).astype(np.float64)


def as_float64(raw, dtype, shape):
    if dtype == "BF16":
        bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
        return bits.view(np.float32).astype(np.float64).reshape(shape)
    return np.frombuffer(raw, dtype=NUMPY[dtype]).astype(np.float64).reshape(shape)


def read_safetensors(path):
    data = open(path, "rb").read()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size])
    body = data[8 + size:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        tensors[name] = (entry["dtype"], as_float64(body[begin:end], entry["dtype"], entry["shape"]))
    return tensors, metadata


def check(directory):
    failures = []
    tensors, metadata = read_safetensors(f"{directory}/model.safetensors")
    if metadata != {"written_by": "picklejar"}:
        failures.append(f"safetensors metadata {metadata}")
    if set(tensors) != set(TENSORS):
        failures.append(f"safetensors names {sorted(tensors)}")
    for name, (dtype, values) in tensors.items():
        k, shape, want = TENSORS.get(name, (0, [], "?"))
        if dtype != want or list(values.shape) != shape or not np.array_equal(values, expected(name, k)):
            failures.append(f"safetensors {name}: {dtype} {values.shape}")
    archive = np.load(f"{directory}/model.npz")
    numpy_names = set(TENSORS) - {"bf16"}
    if set(archive.files) != numpy_names:
        failures.append(f"npz names {sorted(archive.files)}")
    for name in archive.files:
        array = archive[name]
        k, shape, want = TENSORS[name]
        if array.dtype != np.dtype(NUMPY[want]) or list(array.shape) != shape or \
                not np.array_equal(array.astype(np.float64), expected(name, k)):
            failures.append(f"npz {name}: {array.dtype} {array.shape}")
    for failure in failures:
        print("MISMATCH", failure)
    print(f"checked {len(tensors)} safetensors tensors and {len(archive.files)} npz arrays")
    return 1 if failures else 0


def write(directory):
    # Keys in reverse order, data in another order, no alignment padding: a foreign writer.
    names = sorted(TENSORS, reverse=True)
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(TENSORS, key=lambda n: TENSORS[n][0] % 5):
        k, shape, dtype = TENSORS[name]
        values = expected(name, k + 50)
        if dtype == "BF16":
            raw = (values.astype(np.float32).view(np.uint32) >> 16).astype("<u2").tobytes()
        else:
            raw = values.astype(NUMPY[dtype]).tobytes()
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    ordered = {"__metadata__": header.pop("__metadata__")}
    ordered.update({name: header[name] for name in names})
    text = json.dumps(ordered).encode()
    with open(f"{directory}/python.safetensors", "wb") as out:
        out.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("check", "write"):
        print(__doc__)
        sys.exit(2)
    sys.exit(check(sys.argv[2]) if sys.argv[1] == "check" else write(sys.argv[2]))
