// bench/peers.cpp - layernorm.h next to oneDNN and PyTorch (libtorch) on the CPU.
//
//   make bench-peers             needs libdnnl-dev and/or libtorch-dev (Debian 12)
//   ./build/bench_peers [--quick] [--markdown] [--time S] [--shape ROWSxCOLS]
//
// Part 1, speed: ln_forward / ln_backward (dx, dγ, dβ), oneDNN's layer_normalization
// forward (training: writes mean and variance) / backward (diff_src, diff_scale,
// diff_shift), and PyTorch's at::native_layer_norm / at::native_layer_norm_backward (the
// ops torch.nn.functional.layer_norm runs on the CPU; PyTorch allocates its outputs on
// every call, as it does in real use), all with γ and β, on the shapes of bench/bench.c,
// interleaved call by call with the same streaming baseline (bench_util.h), at 1 thread
// and at the machine's thread count. Medians; "% strm" as in bench/bench.c. glibc keeps
// freed memory (mallopt) so PyTorch's per-call output allocations do not page-fault.
//
// Part 2, accuracy: the largest error of each library's forward y and backward dx against
// a float64 reference, in units of FLT_EPSILON·scale with issue 3's scales (its bound is 4),
// for x = N(0,1) and for inputs with a large mean, 256 rows of 768.
#define _POSIX_C_SOURCE 200809L
#include "layernorm.h"
#include "bench_util.h"

#include <malloc.h>

#include <cfloat>
#include <cstdlib>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#ifdef HAVE_DNNL
#include <oneapi/dnnl/dnnl.hpp>
#endif
#ifdef HAVE_TORCH
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/api/include/torch/version.h>
#endif

static const float EPS = 1e-5f;
static const size_t FLUSH_BYTES = (size_t)256 << 20;
static const size_t COLD_BYTES = (size_t)8 << 20;
static const int MAXSAMPLES = 4000;
static const double WARM_SAMPLE = 100e-6;
static int opt_quick, opt_markdown;
static double opt_time = 0.25;
static size_t opt_rows, opt_cols; // --shape RxC: only that shape

struct Shape { size_t rows, cols; };
static const Shape shapes[] = {{8192, 768},  {2048, 4096}, {64, 768},     {1, 4096},
                               {262144, 64}, {4, 1048576}, {1048576, 16}, {1024, 8192}};

// One buffer set: inputs, outputs and statistics of one call.
struct Set {
    float *x, *dy, *out, *mean, *rstd, *var;
#ifdef HAVE_DNNL
    dnnl::memory mx, mdy, mout, mmean, mvar;
#endif
#ifdef HAVE_TORCH
    at::Tensor tx, tdy, tmean, trstd;
#endif
};

enum Op { STREAM1, STREAM2, OURS_FWD, OURS_BWD, DNNL_FWD, DNNL_BWD, TORCH_FWD, TORCH_BWD };

struct Bench {
    size_t rows, cols, n;
    bool cold;
    int next;
    std::vector<Set> sets;
    float *gamma, *beta, *dgamma, *dbeta;
#ifdef HAVE_DNNL
    dnnl::engine eng;
    dnnl::stream strm;
    dnnl::layer_normalization_forward fwd;
    dnnl::layer_normalization_backward bwd;
    dnnl::memory mgamma, mbeta, mdgamma, mdbeta;
    int dnnl_threads = 0;
#endif
#ifdef HAVE_TORCH
    at::Tensor tgamma, tbeta;
#endif

    Bench(size_t r, size_t c) : rows(r), cols(c), n(r * c), next(0)
    {
        size_t set_bytes = n * sizeof(float) * 3;
        int nsets = 1;
        cold = n * 12 > COLD_BYTES;
        if (cold && !opt_quick) nsets = 1 + (int)((FLUSH_BYTES + set_bytes - 1) / set_bytes);
        gamma = bu_alloc(cols); beta = bu_alloc(cols);
        dgamma = bu_alloc(cols); dbeta = bu_alloc(cols);
        bu_fill(gamma, cols, 1.0f, 0.1f);
        bu_fill(beta, cols, 0.0f, 0.1f);
#ifdef HAVE_DNNL
        using namespace dnnl;
        eng = engine(engine::kind::cpu, 0);
        strm = stream(eng);
        memory::desc md({(memory::dim)rows, (memory::dim)cols}, memory::data_type::f32,
                        memory::format_tag::ab);
        memory::desc vd({(memory::dim)cols}, memory::data_type::f32, memory::format_tag::a);
        mgamma = memory(vd, eng, gamma); mbeta = memory(vd, eng, beta);
        mdgamma = memory(vd, eng, dgamma); mdbeta = memory(vd, eng, dbeta);
#endif
#ifdef HAVE_TORCH
        tgamma = at::from_blob(gamma, {(int64_t)cols}, at::kFloat);
        tbeta = at::from_blob(beta, {(int64_t)cols}, at::kFloat);
#endif
        for (int s = 0; s < nsets; s++) {
            Set st;
            st.x = bu_alloc(n); st.dy = bu_alloc(n); st.out = bu_alloc(n);
            st.mean = bu_alloc(rows); st.rstd = bu_alloc(rows); st.var = bu_alloc(rows);
            bu_fill(st.x, n, 0.0f, 1.0f);
            bu_fill(st.dy, n, 0.0f, 0.01f);
            // Statistics for the backward passes, in double, in each library's format.
            for (size_t i = 0; i < rows; i++) {
                double m = 0, v = 0;
                for (size_t j = 0; j < cols; j++) m += st.x[i * cols + j];
                m /= (double)cols;
                for (size_t j = 0; j < cols; j++) {
                    double d = st.x[i * cols + j] - m;
                    v += d * d;
                }
                v /= (double)cols;
                st.mean[i] = (float)m;
                st.var[i] = (float)v;
                st.rstd[i] = (float)(1.0 / std::sqrt(v + EPS));
            }
#ifdef HAVE_DNNL
            {
                using namespace dnnl;
                memory::desc md({(memory::dim)rows, (memory::dim)cols}, memory::data_type::f32,
                                memory::format_tag::ab);
                memory::desc sd({(memory::dim)rows}, memory::data_type::f32,
                                memory::format_tag::a);
                st.mx = memory(md, eng, st.x); st.mdy = memory(md, eng, st.dy);
                st.mout = memory(md, eng, st.out);
                st.mmean = memory(sd, eng, st.mean); st.mvar = memory(sd, eng, st.var);
            }
#endif
#ifdef HAVE_TORCH
            st.tx = at::from_blob(st.x, {(int64_t)rows, (int64_t)cols}, at::kFloat);
            st.tdy = at::from_blob(st.dy, {(int64_t)rows, (int64_t)cols}, at::kFloat);
            st.tmean = at::from_blob(st.mean, {(int64_t)rows, 1}, at::kFloat);
            st.trstd = at::from_blob(st.rstd, {(int64_t)rows, 1}, at::kFloat);
#endif
            sets.push_back(st);
        }
    }

    ~Bench()
    {
        for (size_t s = 0; s < sets.size(); s++) {
            Set &st = sets[s];
#ifdef HAVE_TORCH
            st.tx.reset(); st.tdy.reset(); st.tmean.reset(); st.trstd.reset();
#endif
            free(st.x); free(st.dy); free(st.out); free(st.mean); free(st.rstd); free(st.var);
        }
#ifdef HAVE_TORCH
        tgamma.reset(); tbeta.reset();
#endif
        free(gamma); free(beta); free(dgamma); free(dbeta);
    }

    // oneDNN fixes a primitive's thread count when it is created: make them anew for
    // each thread count (outside the timing).
    void prepare(int threads)
    {
#ifdef HAVE_DNNL
        using namespace dnnl;
        if (threads == dnnl_threads) return;
        memory::desc md({(memory::dim)rows, (memory::dim)cols}, memory::data_type::f32,
                        memory::format_tag::ab);
        normalization_flags fl = normalization_flags::use_scale | normalization_flags::use_shift;
        layer_normalization_forward::primitive_desc fpd(
            layer_normalization_forward::desc(prop_kind::forward_training, md, EPS, fl), eng);
        layer_normalization_backward::primitive_desc bpd(
            layer_normalization_backward::desc(prop_kind::backward, md, md, EPS, fl), eng, fpd);
        fwd = layer_normalization_forward(fpd);
        bwd = layer_normalization_backward(bpd);
        dnnl_threads = threads;
#else
        (void)threads;
#endif
    }

    int next_set()
    {
        int s = next;
        next = (next + 1) % (int)sets.size();
        return s;
    }

    // Returns 0, or nonzero if the library is missing or failed.
    int run(Op op, int s, int par)
    {
        Set &st = sets[s];
        switch (op) {
        case STREAM1: bu_stream_r1w1(st.out, st.x, n, par); return 0;
        case STREAM2: bu_stream_r2w1(st.out, st.x, st.dy, n, par); return 0;
        case OURS_FWD: return ln_forward(st.out, st.mean, st.rstd, st.x, gamma, beta, rows, cols, EPS);
        case OURS_BWD:
            return ln_backward(st.out, dgamma, dbeta, st.dy, st.x, gamma, st.mean, st.rstd, rows,
                               cols);
#ifdef HAVE_DNNL
        case DNNL_FWD:
            fwd.execute(strm, {{DNNL_ARG_SRC, st.mx}, {DNNL_ARG_DST, st.mout},
                               {DNNL_ARG_MEAN, st.mmean}, {DNNL_ARG_VARIANCE, st.mvar},
                               {DNNL_ARG_SCALE, mgamma}, {DNNL_ARG_SHIFT, mbeta}});
            strm.wait();
            return 0;
        case DNNL_BWD:
            bwd.execute(strm, {{DNNL_ARG_SRC, st.mx}, {DNNL_ARG_DIFF_DST, st.mdy},
                               {DNNL_ARG_MEAN, st.mmean}, {DNNL_ARG_VARIANCE, st.mvar},
                               {DNNL_ARG_SCALE, mgamma}, {DNNL_ARG_SHIFT, mbeta}, // (2.6 wants it)
                               {DNNL_ARG_DIFF_SRC, st.mout},
                               {DNNL_ARG_DIFF_SCALE, mdgamma}, {DNNL_ARG_DIFF_SHIFT, mdbeta}});
            strm.wait();
            return 0;
#endif
#ifdef HAVE_TORCH
        case TORCH_FWD: {
            auto r = at::native_layer_norm(st.tx, {(int64_t)cols}, tgamma, tbeta, EPS);
            return std::get<0>(r).numel() == (int64_t)n ? 0 : 1;
        }
        case TORCH_BWD: {
            auto r = at::native_layer_norm_backward(st.tdy, st.tx, {(int64_t)cols}, st.tmean,
                                                    st.trstd, tgamma, tbeta, {true, true, true});
            return std::get<0>(r).numel() == (int64_t)n ? 0 : 1;
        }
#endif
        default: return 1;
        }
    }
};

static double samples[4][4000];

static void set_threads(int t)
{
    bu_set_threads(t);
#ifdef HAVE_TORCH
    at::set_num_threads(t);
#endif
}

// As measure() in bench.c: interleaved, median seconds per call, -1 when unavailable.
static void measure(Bench &b, const Op *ops, int nr, int threads, double *med)
{
    int par = threads > 1 && b.n >= BU_PAR_MIN;
    int batch[4], ok[4], ns;
    double per_sample = 0;
    set_threads(threads);
    b.prepare(threads);
    for (int k = 0; k < nr; k++) {
        ok[k] = b.run(ops[k], b.next_set(), par) == 0;
        med[k] = -1;
    }
    for (int k = 0; k < nr; k++) {
        if (!ok[k]) continue;
        double t0 = bu_now();
        b.run(ops[k], b.next_set(), par);
        double est = bu_now() - t0;
        if (est < 1e-9) est = 1e-9;
        batch[k] = (b.cold || opt_quick) ? 1 : (int)std::ceil(WARM_SAMPLE / est);
        per_sample += batch[k] * est;
    }
    if (per_sample == 0) return;
    ns = (int)(opt_time * nr / per_sample);
    if (ns < 5) ns = 5;
    if (ns > MAXSAMPLES) ns = MAXSAMPLES;
    if (opt_quick) ns = 1;
    for (int i = 0; i < ns; i++)
        for (int k = 0; k < nr; k++) {
            int s = b.next_set();
            if (!ok[k]) continue;
            double t0 = bu_now();
            for (int j = 0; j < batch[k]; j++) b.run(ops[k], s, par);
            samples[k][i] = (bu_now() - t0) / batch[k];
        }
    for (int k = 0; k < nr; k++)
        if (ok[k]) med[k] = bu_median(samples[k], ns);
}

static void put(bu_table &t, int r, int c, const char *s) { bu_table_set(&t, r, c, s); }

static void put_time_pct(bu_table &t, int r, int c, double stream, double sec)
{
    char buf[32];
    bu_fmt_time(buf, sizeof buf, sec);
    put(t, r, c, sec > 0 ? buf : "n/a");
    if (sec > 0 && stream > 0) snprintf(buf, sizeof buf, "%.0f%%", 100.0 * stream / sec);
    else snprintf(buf, sizeof buf, "n/a");
    put(t, r, c + 1, buf);
}

static void speed_table(bu_table &t, const int *thr, int nthr)
{
    int r = bu_table_row(&t, 0);
    const char *head[] = {"shape", "pass", "thr", "stream GB/s", "layernorm.h", "% strm",
                          "oneDNN", "% strm", "PyTorch", "% strm"};
    for (int c = 0; c < 10; c++) put(t, r, c, head[c]);
    size_t nshapes = opt_rows ? 1 : sizeof shapes / sizeof shapes[0];
    for (size_t si = 0; si < nshapes; si++) {
        Shape sh = shapes[si];
        if (opt_rows) sh.rows = opt_rows, sh.cols = opt_cols;
        if (opt_quick)
            while (sh.rows * sh.cols > 65536 && sh.rows > 1) sh.rows = (sh.rows + 1) / 2;
        if (opt_quick)
            while (sh.rows * sh.cols > 65536) sh.cols /= 2;
        char lab[48];
        snprintf(lab, sizeof lab, "%zux%zu", sh.rows, sh.cols);
        Bench b(sh.rows, sh.cols);
        bool first = true;
        for (int pass = 0; pass < 2; pass++)
            for (int ti = 0; ti < nthr; ti++) {
                Op ops[4] = {pass ? STREAM2 : STREAM1, pass ? OURS_BWD : OURS_FWD,
                             pass ? DNNL_BWD : DNNL_FWD, pass ? TORCH_BWD : TORCH_FWD};
                double med[4];
                char buf[32];
                fprintf(stderr, "  measuring %s %s %d thr\n", lab, pass ? "bwd" : "fwd", thr[ti]);
                measure(b, ops, 4, thr[ti], med);
                r = bu_table_row(&t, first);
                first = false;
                put(t, r, 0, lab);
                put(t, r, 1, pass ? "bwd" : "fwd");
                snprintf(buf, sizeof buf, "%d", thr[ti]); put(t, r, 2, buf);
                snprintf(buf, sizeof buf, "%.1f", (pass ? 12.0 : 8.0) * (double)b.n / med[0] * 1e-9);
                put(t, r, 3, buf);
                put_time_pct(t, r, 4, med[0], med[1]);
                put_time_pct(t, r, 6, med[0], med[2]);
                put_time_pct(t, r, 8, med[0], med[3]);
            }
    }
}

// ---- accuracy ----

// Largest |v − ref| / scale over the tensor; scale[i / cols] per row, or max(1, |ref|)
// element by element when rowscale is NULL. NaN counts as the worst.
static double max_err(const float *v, const double *ref, const double *rowscale, size_t rows,
                      size_t cols)
{
    double e = 0;
    for (size_t i = 0; i < rows * cols; i++) {
        double s = rowscale ? rowscale[i / cols] : (std::fabs(ref[i]) > 1.0 ? std::fabs(ref[i]) : 1.0);
        double d = std::fabs((double)v[i] - ref[i]) / (FLT_EPSILON * s);
        if (!(d <= e)) e = d;
    }
    return e;
}

static void put_err(bu_table &t, int r, int c, double e)
{
    char buf[32];
    snprintf(buf, sizeof buf, e < 100 ? "%.2f" : "%.2g", e);
    put(t, r, c, buf);
}

// Forward y and backward dx (each library's backward from its own forward's statistics)
// against float64 references computed here from the same float inputs.
static void accuracy_table(bu_table &t)
{
    const size_t rows = 256, cols = 768, n = rows * cols;
    const float offsets[] = {0.0f, 300.0f, 10000.0f};
    const float scales[] = {1.0f, 0.01f, 1.0f};
    const char *names[] = {"N(0,1)", "300 + 0.01*N(0,1)", "10000 + N(0,1)"};
    const char *head[] = {"x (256 rows of 768)", "y: layernorm.h", "oneDNN", "PyTorch",
                          "dx: layernorm.h", "oneDNN", "PyTorch"};
    int r = bu_table_row(&t, 0);
    for (int c = 0; c < 7; c++) put(t, r, c, head[c]);
    std::vector<float> x(n), dy(n), g(cols), b(cols), y(n), dx(n), mean(rows), rstd(rows),
        var(rows), dg(cols), db(cols);
    std::vector<double> yref(n), dxref(n), dxscale(rows);
    bu_fill(g.data(), cols, 1.0f, 0.1f);
    bu_fill(b.data(), cols, 0.0f, 0.1f);
    set_threads(1);
    for (int f = 0; f < 3; f++) {
        bu_fill(x.data(), n, offsets[f], scales[f]);
        bu_fill(dy.data(), n, 0.0f, 1.0f);
        for (size_t i = 0; i < rows; i++) { // float64 reference, centered, two-pass
            const float *xr = &x[i * cols], *dyr = &dy[i * cols];
            double m = 0, v = 0, mg = 0, mgx = 0, gmax = 0;
            for (size_t j = 0; j < cols; j++) m += xr[j];
            m /= (double)cols;
            for (size_t j = 0; j < cols; j++) v += (xr[j] - m) * (xr[j] - m);
            double rs = 1.0 / std::sqrt(v / (double)cols + (double)EPS);
            for (size_t j = 0; j < cols; j++) {
                double xh = (xr[j] - m) * rs, gj = (double)g[j] * dyr[j];
                yref[i * cols + j] = xh * g[j] + b[j];
                mg += gj;
                mgx += gj * xh;
                if (std::fabs(gj) > gmax) gmax = std::fabs(gj);
            }
            mg /= (double)cols;
            mgx /= (double)cols;
            for (size_t j = 0; j < cols; j++) {
                double xh = (xr[j] - m) * rs, gj = (double)g[j] * dyr[j];
                dxref[i * cols + j] = rs * (gj - mg - xh * mgx);
            }
            dxscale[i] = rs * gmax; // issue 3: the row's rstd · max|γ·dy|
        }
        r = bu_table_row(&t, 0);
        put(t, r, 0, names[f]);
        for (int c = 1; c < 7; c++) put(t, r, c, "n/a");
        if (ln_forward(y.data(), mean.data(), rstd.data(), x.data(), g.data(), b.data(), rows,
                       cols, EPS) == 0) {
            put_err(t, r, 1, max_err(y.data(), yref.data(), NULL, rows, cols));
            if (ln_backward(dx.data(), NULL, NULL, dy.data(), x.data(), g.data(), mean.data(),
                            rstd.data(), rows, cols) == 0)
                put_err(t, r, 4, max_err(dx.data(), dxref.data(), dxscale.data(), rows, cols));
        }
#ifdef HAVE_DNNL
        {
            using namespace dnnl;
            engine eng(engine::kind::cpu, 0);
            stream strm(eng);
            memory::desc md({(memory::dim)rows, (memory::dim)cols}, memory::data_type::f32,
                            memory::format_tag::ab);
            memory::desc vd({(memory::dim)cols}, memory::data_type::f32, memory::format_tag::a);
            memory::desc sd({(memory::dim)rows}, memory::data_type::f32, memory::format_tag::a);
            normalization_flags fl = normalization_flags::use_scale | normalization_flags::use_shift;
            layer_normalization_forward::primitive_desc fpd(
                layer_normalization_forward::desc(prop_kind::forward_training, md, EPS, fl), eng);
            layer_normalization_backward::primitive_desc bpd(
                layer_normalization_backward::desc(prop_kind::backward, md, md, EPS, fl), eng, fpd);
            memory mx(md, eng, x.data()), my(md, eng, y.data()), mdy(md, eng, dy.data()),
                mdx(md, eng, dx.data()), mm(sd, eng, mean.data()), mv(sd, eng, var.data()),
                mg(vd, eng, g.data()), mb(vd, eng, b.data()), mdg(vd, eng, dg.data()),
                mdb(vd, eng, db.data());
            layer_normalization_forward(fpd).execute(
                strm, {{DNNL_ARG_SRC, mx}, {DNNL_ARG_DST, my}, {DNNL_ARG_MEAN, mm},
                       {DNNL_ARG_VARIANCE, mv}, {DNNL_ARG_SCALE, mg}, {DNNL_ARG_SHIFT, mb}});
            strm.wait();
            put_err(t, r, 2, max_err(y.data(), yref.data(), NULL, rows, cols));
            layer_normalization_backward(bpd).execute(
                strm, {{DNNL_ARG_SRC, mx}, {DNNL_ARG_DIFF_DST, mdy}, {DNNL_ARG_MEAN, mm},
                       {DNNL_ARG_VARIANCE, mv}, {DNNL_ARG_SCALE, mg}, {DNNL_ARG_SHIFT, mb},
                       {DNNL_ARG_DIFF_SRC, mdx}, {DNNL_ARG_DIFF_SCALE, mdg},
                       {DNNL_ARG_DIFF_SHIFT, mdb}});
            strm.wait();
            put_err(t, r, 5, max_err(dx.data(), dxref.data(), dxscale.data(), rows, cols));
        }
#endif
#ifdef HAVE_TORCH
        {
            at::Tensor tx = at::from_blob(x.data(), {(int64_t)rows, (int64_t)cols}, at::kFloat);
            at::Tensor tdy = at::from_blob(dy.data(), {(int64_t)rows, (int64_t)cols}, at::kFloat);
            at::Tensor tg = at::from_blob(g.data(), {(int64_t)cols}, at::kFloat);
            at::Tensor tb = at::from_blob(b.data(), {(int64_t)cols}, at::kFloat);
            auto fw = at::native_layer_norm(tx, {(int64_t)cols}, tg, tb, EPS);
            at::Tensor ty = std::get<0>(fw).contiguous();
            put_err(t, r, 3, max_err(ty.data_ptr<float>(), yref.data(), NULL, rows, cols));
            auto bw = at::native_layer_norm_backward(tdy, tx, {(int64_t)cols}, std::get<1>(fw),
                                                     std::get<2>(fw), tg, tb, {true, false, false});
            at::Tensor tdx = std::get<0>(bw).contiguous();
            put_err(t, r, 6, max_err(tdx.data_ptr<float>(), dxref.data(), dxscale.data(), rows, cols));
        }
#endif
    }
}

static bu_table speed_t, acc_t;

int main(int argc, char **argv)
{
    int thr[2], nthr = 1;
    char cpu[192];
    double load0 = bu_loadavg();
    // PyTorch allocates its outputs on every call; glibc would map large ones fresh from
    // the kernel each time and page-fault them in (on some VMs ~25 us per 4 KiB page),
    // which would time the OS, not the layer norm. Keep freed memory in the heap instead,
    // as a caching allocator does. This helps PyTorch only: the others allocate nothing.
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) opt_quick = 1;
        else if (strcmp(argv[i], "--markdown") == 0) opt_markdown = 1;
        else if (strcmp(argv[i], "--time") == 0 && i + 1 < argc) opt_time = atof(argv[++i]);
        else if (strcmp(argv[i], "--shape") == 0 && i + 1 < argc &&
                 sscanf(argv[++i], "%zux%zu", &opt_rows, &opt_cols) == 2 && opt_rows && opt_cols)
            ;
        else {
            fprintf(stderr, "usage: bench_peers [--quick] [--markdown] [--time SECONDS] "
                            "[--shape ROWSxCOLS]\n");
            return 1;
        }
    }
    thr[0] = 1;
    if (bu_max_threads() > 1) thr[nthr++] = bu_max_threads();
    bu_cpu_name(cpu, sizeof cpu);
    std::string libs;
#ifdef HAVE_DNNL
    {
        const dnnl_version_t *v = dnnl_version();
        char buf[64];
        const char *isa = "other ISA";
        switch (dnnl_get_effective_cpu_isa()) { /* ONEDNN_MAX_CPU_ISA caps it */
        case dnnl_cpu_isa_avx2: isa = "AVX2"; break;
        case dnnl_cpu_isa_avx2_vnni: isa = "AVX2 VNNI"; break;
        case dnnl_cpu_isa_avx512_core: isa = "AVX-512"; break;
        case dnnl_cpu_isa_avx512_core_vnni: isa = "AVX-512 VNNI"; break;
        case dnnl_cpu_isa_avx512_core_bf16: isa = "AVX-512 BF16"; break;
        default: break;
        }
        snprintf(buf, sizeof buf, "oneDNN %d.%d.%d (%s)", v->major, v->minor, v->patch, isa);
        libs += buf;
    }
#else
    libs += "oneDNN not built in";
#endif
#ifdef HAVE_TORCH
    {
        char buf[64];
        const char *cap = getenv("ATEN_CPU_CAPABILITY"); /* PyTorch's own cap on its ISA */
        snprintf(buf, sizeof buf, ", PyTorch (libtorch) %d.%d.%d%s%s%s", TORCH_VERSION_MAJOR,
                 TORCH_VERSION_MINOR, TORCH_VERSION_PATCH, cap ? " (ATEN_CPU_CAPABILITY=" : "",
                 cap ? cap : "", cap ? ")" : "");
        libs += buf;
    }
#else
    libs += ", PyTorch not built in";
#endif
    bu_table_init(&speed_t, 10, 0x3u);
    speed_table(speed_t, thr, nthr);
    bu_table_init(&acc_t, 7, 0x1u);
    accuracy_table(acc_t);

    printf("layernorm.h %s (active path %s) vs %s; %s; %d thread%s max\n",
           LAYERNORM_VERSION_STRING, ln_path_name(ln_path_active()), libs.c_str(), cpu,
           thr[nthr - 1], thr[nthr - 1] > 1 ? "s" : "");
    printf("load average %.1f at the start, %.1f at the end\n", load0, bu_loadavg());
    if (opt_quick) printf("--quick: small shapes, one call per cell: the numbers mean nothing\n");
    printf("\n");
    bu_table_print(&speed_t, opt_markdown, stdout);
    printf("\ntime: median per call (γ, β, statistics written in the forward; dx, dγ, dβ in the\n"
           "backward). %% strm: time of a plain loop moving the same bytes (fwd: read x, write y;\n"
           "bwd: read x, dy, write dx) / library time, interleaved in this run. PyTorch allocates\n"
           "its outputs on every call; glibc is told to reuse freed memory (no mmap, no trim)\n"
           "so that costs no page faults.\n\n");
    bu_table_print(&acc_t, opt_markdown, stdout);
    printf("\nlargest error against float64, in units of FLT_EPSILON * scale, with issue 3's\n"
           "scales: y: max(1, |y_ref|); dx: the row's rstd * max|gamma * dy| (the bound is 4 for\n"
           "both). 1 thread; gamma = 1 + 0.1*N(0,1), beta = 0.1*N(0,1), dy = N(0,1); each backward\n"
           "uses the statistics its own forward saved.\n");
    return 0;
}
