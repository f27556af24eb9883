#!/usr/bin/python3
"""Golden reference data for layernorm.h, computed by PyTorch in float64.

Regenerate (needs Debian's python3-torch, which installs for /usr/bin/python3):
    make golden                     # or: /usr/bin/python3 tests/gen_golden.py
It rewrites tests/golden/golden.bin; commit the result. The C test that reads it,
tests/test_golden.c, needs no Python.

Every case draws its inputs with a fixed seed, rounds them to float32 (that is what
the C side is fed), then upcasts them to float64 and computes the outputs in float64:
  LayerNorm: torch.nn.functional.layer_norm and autograd (dx, dgamma, dbeta);
             mean and rstd from aten's native_layer_norm, cross-checked by hand.
  RMSNorm:   torch has no float64 rms_norm we want to trust blindly, so it is
             written out with torch ops: rstd = rsqrt(mean(x^2) + eps),
             y = x * rstd * gamma, and autograd gives dx and dgamma.
For cases without gamma/beta, y and dx come from a call with weight=None / bias=None;
dgamma/dbeta (which the C backward still computes when asked) come from a second
call with weight = ones, bias = zeros, whose outputs must match the first.

File layout (all little-endian, no padding) - documented in tests/golden/README.md:
  header: char magic[8] = "LNGOLD01"; u32 version = 1; u32 ncases
  per case:
    u32 kind (1 = LayerNorm, 2 = RMSNorm); u32 flags (1 = has gamma, 2 = has beta)
    u32 rows; u32 cols; f32 eps; u32 namelen; char name[namelen]
    f32 x[rows*cols]; f32 dy[rows*cols]; f32 gamma[cols] if flags&1; f32 beta[cols] if flags&2
    f64 y[rows*cols]; f64 mean[rows] (LayerNorm only); f64 rstd[rows]
    f64 dx[rows*cols]; f64 dgamma[cols]; f64 dbeta[cols] (LayerNorm only)
"""
import os
import struct
import sys

import torch
import torch.nn.functional as F

KIND_LN, KIND_RMS = 1, 2
HAS_GAMMA, HAS_BETA = 1, 2

# (name, kind, rows, cols, flags, family, eps, seed)
#   family: "normal" N(0,1); "mean1e4" 10000 + N(0,1); "mean300" 300 + 0.01 N(0,1);
#           "mean1" 1 + 0.001 N(0,1); "const" constant rows; "zerorow" N(0,1) with row 0 all zeros
CASES = [
    ("ln_w1_affine",         KIND_LN,    4,    1, 3, "normal",  1e-5, 101),
    ("ln_w3_plain",          KIND_LN,    5,    3, 0, "normal",  1e-5, 102),
    ("ln_w17_gamma",         KIND_LN,    6,   17, 1, "normal",  1e-5, 103),
    ("ln_w33_affine",        KIND_LN,    3,   33, 3, "normal",  1e-5, 104),
    ("ln_w100_beta",         KIND_LN,    7,  100, 2, "normal",  1e-5, 105),
    ("ln_w769_affine",       KIND_LN,    3,  769, 3, "normal",  1e-5, 106),
    ("ln_w3000_affine",      KIND_LN,    2, 3000, 3, "normal",  1e-5, 107),
    ("ln_w768_mean1e4",      KIND_LN,    4,  768, 3, "mean1e4", 1e-5, 108),
    ("ln_w4096_mean1e4",     KIND_LN,    2, 4096, 0, "mean1e4", 1e-5, 109),
    ("ln_w64_mean300",       KIND_LN,    4,   64, 3, "mean300", 1e-5, 110),
    ("ln_w50_mean1",         KIND_LN,    3,   50, 1, "mean1",   1e-5, 111),
    ("ln_tall256x33",        KIND_LN,  256,   33, 3, "normal",  1e-5, 112),
    ("ln_w40_eps0.1",        KIND_LN,    3,   40, 3, "normal",  1e-1, 113),
    ("ln_w24_eps0",          KIND_LN,    3,   24, 3, "normal",  0.0,  114),
    ("ln_w8_constrows",      KIND_LN,    2,    8, 3, "const",   1e-5, 115),
    ("rms_w1_gamma",         KIND_RMS,   4,    1, 1, "normal",  1e-5, 201),
    ("rms_w3_plain",         KIND_RMS,   5,    3, 0, "normal",  1e-5, 202),
    ("rms_w17_gamma",        KIND_RMS,   6,   17, 1, "normal",  1e-6, 203),
    ("rms_w769_gamma",       KIND_RMS,   3,  769, 1, "normal",  1e-5, 204),
    ("rms_w3000_gamma",      KIND_RMS,   2, 3000, 1, "normal",  1e-5, 205),
    ("rms_w768_mean1e4",     KIND_RMS,   3,  768, 1, "mean1e4", 1e-5, 206),
    ("rms_tall256x33",       KIND_RMS, 256,   33, 1, "normal",  1e-5, 207),
    ("rms_w64_zerorow",      KIND_RMS,   3,   64, 1, "zerorow", 1e-5, 208),
]


def draw_x(family, rows, cols, gen):
    z = torch.randn(rows, cols, dtype=torch.float64, generator=gen)
    if family == "normal":
        x = z
    elif family == "mean1e4":
        x = 10000.0 + z
    elif family == "mean300":
        x = 300.0 + 0.01 * z
    elif family == "mean1":
        x = 1.0 + 0.001 * z
    elif family == "const":
        x = torch.randn(rows, 1, dtype=torch.float64, generator=gen).expand(rows, cols).clone()
    elif family == "zerorow":
        x = z
        x[0].zero_()
    else:
        raise ValueError(family)
    return x.float()  # the exact float32 inputs the C side reads


def layer_norm_case(x32, dy32, g32, b32, eps):
    cols = x32.shape[1]
    x = x32.double().requires_grad_()
    dy = dy32.double()
    g = g32.double() if g32 is not None else None
    b = b32.double() if b32 is not None else None
    y = F.layer_norm(x, (cols,), g, b, eps)
    (dx,) = torch.autograd.grad(y, x, dy)

    # dgamma / dbeta with explicit parameter tensors (ones/zeros stand in for None).
    x2 = x32.double().requires_grad_()
    g2 = (g.clone() if g is not None else torch.ones(cols, dtype=torch.float64)).requires_grad_()
    b2 = (b.clone() if b is not None else torch.zeros(cols, dtype=torch.float64)).requires_grad_()
    y2 = F.layer_norm(x2, (cols,), g2, b2, eps)
    dx2, dg, db = torch.autograd.grad(y2, (x2, g2, b2), dy)
    assert torch.allclose(y, y2, rtol=1e-12, atol=1e-12)
    assert torch.allclose(dx, dx2, rtol=1e-12, atol=1e-12)

    # mean and rstd as aten saves them for its own backward; cross-check by hand.
    _, mean, rstd = torch.ops.aten.native_layer_norm(x.detach(), [cols], g, b, eps)
    mean = mean.reshape(-1)
    rstd = rstd.reshape(-1)
    xd = x32.double()
    m_hand = xd.mean(dim=1)
    v_hand = ((xd - m_hand[:, None]) ** 2).mean(dim=1)
    assert torch.allclose(mean, m_hand, rtol=1e-13, atol=1e-13)
    assert torch.allclose(rstd, 1.0 / torch.sqrt(v_hand + eps), rtol=1e-10)
    return y.detach(), mean, rstd, dx, dg, db


def rms_norm_case(x32, dy32, g32, eps):
    cols = x32.shape[1]
    x = x32.double().requires_grad_()
    g = (g32.double() if g32 is not None else torch.ones(cols, dtype=torch.float64)).requires_grad_()
    rstd = torch.rsqrt((x * x).mean(dim=1, keepdim=True) + eps)
    y = x * rstd * g
    dx, dg = torch.autograd.grad(y, (x, g), dy32.double())
    return y.detach(), rstd.detach().reshape(-1), dx, dg


def f32(t):
    t = t.contiguous().reshape(-1)
    assert t.dtype == torch.float32
    return struct.pack("<%df" % t.numel(), *t.tolist())


def f64(t):
    t = t.detach().contiguous().reshape(-1)
    assert t.dtype == torch.float64
    assert torch.isfinite(t).all()
    return struct.pack("<%dd" % t.numel(), *t.tolist())


def main():
    out_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden", "golden.bin")
    if len(sys.argv) > 1:
        out_path = sys.argv[1]
    torch.set_num_threads(1)
    blob = [b"LNGOLD01", struct.pack("<II", 1, len(CASES))]
    for name, kind, rows, cols, flags, family, eps, seed in CASES:
        gen = torch.Generator().manual_seed(seed)
        x32 = draw_x(family, rows, cols, gen)
        dy32 = torch.randn(rows, cols, dtype=torch.float64, generator=gen).float()
        g32 = (1.0 + 0.5 * torch.randn(cols, dtype=torch.float64, generator=gen)).float() \
            if flags & HAS_GAMMA else None
        b32 = (0.5 * torch.randn(cols, dtype=torch.float64, generator=gen)).float() \
            if flags & HAS_BETA else None
        eps32 = struct.unpack("<f", struct.pack("<f", eps))[0]  # the float the C side gets
        nb = name.encode()
        blob.append(struct.pack("<IIIIfI", kind, flags, rows, cols, eps32, len(nb)) + nb)
        blob.append(f32(x32) + f32(dy32))
        if g32 is not None:
            blob.append(f32(g32))
        if b32 is not None:
            blob.append(f32(b32))
        if kind == KIND_LN:
            y, mean, rstd, dx, dg, db = layer_norm_case(x32, dy32, g32, b32, eps32)
            blob += [f64(y), f64(mean), f64(rstd), f64(dx), f64(dg), f64(db)]
        else:
            assert b32 is None
            y, rstd, dx, dg = rms_norm_case(x32, dy32, g32, eps32)
            blob += [f64(y), f64(rstd), f64(dx), f64(dg)]
    data = b"".join(blob)
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "wb") as f:
        f.write(data)
    print("wrote %s: %d cases, %d bytes (torch %s)" % (out_path, len(CASES), len(data), torch.__version__))


if __name__ == "__main__":
    main()
