#!/usr/bin/env python3
"""Writes the hand-made part of the seed corpus, fuzz/corpus/seed-*, one small file per
interesting call. Each file is just the header fuzz_layernorm.c decodes; the values
come from its PRNG. Run: python3 fuzz/make_seeds.py  (any Python 3; no packages).

Header (see decode in fuzz/fuzz_layernorm.c), one byte each unless noted:
  f  rows  cols_lo  cols_hi  [inner: strided only]  epsmode [+4 raw bytes if epsmode%10==3]
  nullmask  reqmask  alias  fams(u32)  offs_lo(u32)  offs_hi(u32)  e  offset  ovf
inner byte 0xE0 and up: inner 16 + byte % 33. ovf below 0xF8 with bit 4 set: the CPU rule 3
(the choices for large calls on Zen 4, at any size).
"""
import os
import struct

NAMES = ["fwd", "bwd", "rmsfwd", "rmsbwd", "add", "rmsadd", "bwdacc", "rmsbwdacc", "fwds", "bwds"]
STRIDED = (8, 9)


def seed(f, rows=3, cols=37, inner=3, epsmode=0, eps_raw=None, nullmask=0, reqmask=0,
         alias=0, fams=0, offs=(0, 0), e=10, offset=0, ovf=0):
    b = bytes([f, rows, cols & 255, cols >> 8])
    if f in STRIDED:
        b += bytes([inner])
    b += bytes([epsmode])
    if epsmode % 10 == 3:
        b += struct.pack("<f", eps_raw)
    b += bytes([nullmask, reqmask, alias]) + struct.pack("<III", fams, offs[0], offs[1])
    b += bytes([e, offset, ovf])
    return b


def family_all(k):
    """the same 2-bit value family for every buffer"""
    return sum(k << (2 * i) for i in range(14))


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    os.makedirs(out, exist_ok=True)
    seeds = {}
    for f, name in enumerate(NAMES):
        seeds[name + "-plain"] = seed(f)
        seeds[name + "-wide"] = seed(f, rows=2, cols=300, inner=1)
        seeds[name + "-w1"] = seed(f, rows=8, cols=1, inner=4)
        seeds[name + "-offset1e4"] = seed(f, fams=family_all(1), e=4, offset=0)
        seeds[name + "-offset300"] = seed(f, cols=64, fams=family_all(1), e=2, offset=1)
        seeds[name + "-specials"] = seed(f, rows=6, cols=19, fams=family_all(3))
        seeds[name + "-raw"] = seed(f, rows=4, cols=16, fams=family_all(2))
        seeds[name + "-nullopt"] = seed(f, nullmask=0xff)
        seeds[name + "-nullreq"] = seed(f, reqmask=0xa1)
        seeds[name + "-eps-neg"] = seed(f, epsmode=4)
        seeds[name + "-eps-nan"] = seed(f, epsmode=5)
        seeds[name + "-eps-inf"] = seed(f, epsmode=6)
        seeds[name + "-eps0"] = seed(f, epsmode=2)
        seeds[name + "-eps-sub"] = seed(f, epsmode=8)
        seeds[name + "-eps-raw"] = seed(f, epsmode=3, eps_raw=3.0e-3)
        seeds[name + "-rows0"] = seed(f, rows=0)
        seeds[name + "-cols0"] = seed(f, cols=0)
        seeds[name + "-alias1"] = seed(f, alias=1)
        seeds[name + "-alias2"] = seed(f, alias=2)
        seeds[name + "-misaligned"] = seed(f, cols=45, offs=(0x35173b1f, 0x0d09e2))
        for k in range(3):
            seeds["%s-overflow%d" % (name, k)] = seed(f, ovf=0xf8 + k)
        seeds[name + "-rule3"] = seed(f, rows=3, cols=300, ovf=0x10)
        seeds[name + "-rule3-misaligned"] = seed(f, cols=45, offs=(0x35173b1f, 0x0d09e2), ovf=0x10)
        if f not in STRIDED:
            # rows that each start a 64-byte line (buffers aligned, offs 0): y streamed
            # from the eight-row batches (16), dx row by row (256; the forward's 512 and
            # up are past the fuzzer's 300 columns)
            for c, r in ((16, 8), (256, 3)):
                seeds["%s-rule3-lines%d" % (name, c)] = seed(f, rows=r, cols=c, ovf=0x10)
        if f in STRIDED:
            seeds[name + "-inner0"] = seed(f, inner=0)
            seeds[name + "-inner1"] = seed(f, inner=1, cols=33)
            # inner 16, 29, 48 (0xE7, 0xF4, 0xE6): lanes wrapping into the next channel
            for v in (0xE7, 0xF4, 0xE6):
                seeds["%s-inner%d-rule3" % (name, 16 + v % 33)] = seed(
                    f, rows=4, cols=7, inner=v, offs=(0x35173b1f, 0x0d09e2), ovf=0x10)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(out, "seed-" + name), "wb") as fh:
            fh.write(data)
    print("wrote %d seeds to %s" % (len(seeds), out))


if __name__ == "__main__":
    main()
