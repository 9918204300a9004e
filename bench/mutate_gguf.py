#!/usr/bin/env python3
"""Mutated and truncated copies of a real GGUF file must each give llmsize exit 0 (still a valid
model) or exit 2 with a one-line error: never a crash, another exit code, or a hang.

The input file should be written independently of llmsize, e.g. by the oracle's make_gguf.py:
  python3 ../shared/oracle/make_gguf.py --arch llama --n-layer 4 --n-embd 256 --n-head 4 \
      --n-head-kv 2 --n-ff 512 --vocab 1000 --ftype Q4_K_M -o /tmp/small.gguf
  python3 bench/mutate_gguf.py build/llmsize /tmp/small.gguf 500
"""
import os
import random
import struct
import subprocess
import sys
import tempfile


def header_size(data):
    # Enough of GGUF to find where the header ends: walk the key/values and tensor infos.
    pos = 24
    n_tensors, n_kv = struct.unpack_from("<QQ", data, 8)
    def skip_value(t, pos):
        sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
        if t in sizes:
            return pos + sizes[t]
        if t == 8:
            (n,) = struct.unpack_from("<Q", data, pos)
            return pos + 8 + n
        et, n = struct.unpack_from("<IQ", data, pos)
        pos += 12
        for _ in range(n):
            pos = skip_value(et, pos)
        return pos
    for _ in range(n_kv):
        (n,) = struct.unpack_from("<Q", data, pos)
        pos += 8 + n
        (t,) = struct.unpack_from("<I", data, pos)
        pos = skip_value(t, pos + 4)
    for _ in range(n_tensors):
        (n,) = struct.unpack_from("<Q", data, pos)
        pos += 8 + n
        (dims,) = struct.unpack_from("<I", data, pos)
        pos += 4 + 8 * dims + 4 + 8
    return pos


def run(llmsize, path):
    try:
        p = subprocess.run([llmsize, "inspect", path], capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return "hang", ""
    return p.returncode, p.stderr.strip()


def main():
    llmsize, source, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    data = open(source, "rb").read()
    end = header_size(data)
    rng = random.Random(1)
    results = {}
    bad = []
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "m.gguf")
        cases = [("truncate", rng.randrange(0, len(data))) for _ in range(count // 4)]
        cases += [("flip", rng.randrange(0, end)) for _ in range(count - len(cases))]
        for kind, at in cases:
            if kind == "truncate":
                blob = data[:at]
            else:
                blob = bytearray(data)
                blob[at] = rng.choice([0x00, 0xFF, blob[at] ^ 0x01, blob[at] ^ 0x80, rng.randrange(256)])
            with open(copy, "wb") as f:
                f.write(blob)
            rc, err = run(llmsize, copy)
            ok = rc == 0 or (rc == 2 and err.count("\n") == 0 and err.startswith("llmsize: error: "))
            results[(kind, rc)] = results.get((kind, rc), 0) + 1
            if not ok:
                bad.append((kind, at, rc, err[:200]))
    print(f"file {source}: {len(data)} bytes, header {end} bytes, {count} copies")
    for (kind, rc), n in sorted(results.items(), key=str):
        print(f"  {kind:8s} exit {rc}: {n}")
    for b in bad[:10]:
        print("  BAD", b)
    print("findings:", len(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
