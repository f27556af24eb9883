# layernorm.h - plain make; the library itself needs nothing but a C compiler.
#   make example   build and run examples/example.c
#   make test      every test suite (gcc and clang); last line "N passed, M failed"
#   make bench     benchmark (see README)
#   make demo      train an MLP on Fashion-MNIST with and without layer norm

CC      ?= cc
CFLAGS  ?= -O2
WARN     = -Wall -Wextra -pedantic -Werror

.PHONY: all test example bench demo clean

all: build/example

build:
	@mkdir -p build

build/example: examples/example.c layernorm.h | build
	$(CC) -std=c99 $(CFLAGS) $(WARN) -I. -o $@ examples/example.c -lm

example: build/example
	./build/example

test:
	bash tests/run.sh

clean:
	rm -rf build

# --- bench (bench/): never part of `make test` (only bench/smoke.sh is) ---
#   make bench                                     plain cc -O2 -fopenmp, as users build
#   make bench BENCH_CFLAGS="-O2 -march=native"    compare other flags
#   make bench BENCH_ARGS=--markdown               tables for the README (also --quick)
BENCH_CFLAGS ?= -O2
BENCH_ARGS   ?=

bench: | build
	$(CC) $(BENCH_CFLAGS) -fopenmp -DBENCH_FLAGS='"$(BENCH_CFLAGS) -fopenmp"' -I. \
	  -o build/bench bench/bench.c -lm
	./build/bench $(BENCH_ARGS)

#   make bench-peers    layernorm.h next to oneDNN (libdnnl-dev) and PyTorch (libtorch-dev),
#                       whichever is installed: speed on the same shapes, and accuracy
.PHONY: bench-peers
PEERS_DNNL  := $(if $(wildcard /usr/include/oneapi/dnnl/dnnl.hpp),-DHAVE_DNNL)
PEERS_TORCH := $(if $(wildcard /usr/include/ATen/ATen.h),-DHAVE_TORCH)
PEERS_LIBS  := $(if $(PEERS_DNNL),-ldnnl) $(if $(PEERS_TORCH),-ltorch -ltorch_cpu -lc10)

build/peers_ln.o: bench/peers_ln.c layernorm.h | build
	$(CC) $(BENCH_CFLAGS) -fopenmp -I. -c -o $@ bench/peers_ln.c

build/bench_peers: bench/peers.cpp bench/bench_util.h build/peers_ln.o
	$(CXX) -O2 -fopenmp $(PEERS_DNNL) $(PEERS_TORCH) -I. -o $@ bench/peers.cpp \
	  build/peers_ln.o $(PEERS_LIBS) -lm

bench-peers: build/bench_peers
	./build/bench_peers $(BENCH_ARGS)

#   make bench-peers-avx2    the same as on a CPU without AVX-512: our AVX2 path
#                            (LAYERNORM_NO_AVX512), oneDNN and PyTorch held to AVX2
.PHONY: bench-peers-avx2
build/peers_ln_avx2.o: bench/peers_ln.c layernorm.h | build
	$(CC) $(BENCH_CFLAGS) -DLAYERNORM_NO_AVX512 -fopenmp -I. -c -o $@ bench/peers_ln.c

build/bench_peers_avx2: bench/peers.cpp bench/bench_util.h build/peers_ln_avx2.o
	$(CXX) -O2 -fopenmp $(PEERS_DNNL) $(PEERS_TORCH) -I. -o $@ bench/peers.cpp \
	  build/peers_ln_avx2.o $(PEERS_LIBS) -lm

bench-peers-avx2: build/bench_peers_avx2
	ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 ./build/bench_peers_avx2 $(BENCH_ARGS)

# --- demo (issue 6): examples/demo.c, an MLP on Fashion-MNIST with and without layer norm ---
#   make demo                          default run (needs: apt-get install dataset-fashion-mnist)
#   make demo DEMO_ARGS=--long         longer run; also --epochs N, --data DIR, --synthetic, --help
DEMO_CFLAGS ?= -O3 -march=native -fno-math-errno -fopenmp
DEMO_ARGS   ?=

build/demo: examples/demo.c layernorm.h | build
	$(CC) -std=c99 $(DEMO_CFLAGS) -Wall -Wextra -I. -o $@ examples/demo.c -lm

# OMP_WAIT_POLICY=passive: threads sleep at a barrier instead of spinning; spinning made
# the demo several times slower on a busy (shared) machine.
demo: build/demo
	OMP_WAIT_POLICY=$${OMP_WAIT_POLICY:-passive} ./build/demo $(DEMO_ARGS)

# --- trust and reach (issue 4): golden data, fuzzing, AArch64, valgrind, lint, install ---
#   make golden                      regenerate tests/golden/golden.bin (PyTorch float64;
#                                    Debian's python3-torch, which installs for /usr/bin/python3)
#   make fuzz [FUZZ_SECONDS=60]      libFuzzer + ASan + UBSan from fuzz/corpus (needs clang)
#   make test-arm                    tests cross-compiled for AArch64, run under qemu-aarch64
#   make test-cross32                all tests for i686 (x87; C and C++) and armhf, under qemu (slow)
#   make test-windows                tests built with MinGW-w64 for Windows x86-64, run under wine
#   make valgrind                    golden + core tests under valgrind memcheck
#   make lint                        cppcheck and clang-tidy over the header
#   make install [PREFIX=/usr/local] [DESTDIR=]   header, pkg-config file, CMake package
PREFIX       ?= /usr/local
DESTDIR      ?=
FUZZ_SECONDS ?= 60
GOLDEN_PYTHON ?= /usr/bin/python3
LN_VERSION    = $(shell sed -n 's/^\#define LAYERNORM_VERSION_STRING "\(.*\)"/\1/p' layernorm.h)

.PHONY: golden fuzz test-arm test-cross32 test-windows valgrind lint install uninstall

golden:
	@$(GOLDEN_PYTHON) -c 'import torch' 2>/dev/null || \
	  { echo "make golden needs PyTorch for $(GOLDEN_PYTHON): apt-get install python3-torch"; exit 1; }
	$(GOLDEN_PYTHON) tests/gen_golden.py

fuzz:
	bash fuzz/run.sh fuzz $(FUZZ_SECONDS)

test-arm:
	bash tests/arm.sh

test-cross32:
	bash tests/cross32.sh full

test-windows:
	bash tests/windows.sh

valgrind:
	bash tests/valgrind.sh

lint:
	bash tests/lint.sh

install:
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/lib/cmake/layernorm
	install -m 644 layernorm.h $(DESTDIR)$(PREFIX)/include/layernorm.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(LN_VERSION)|g' layernorm.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/layernorm.pc
	chmod 644 $(DESTDIR)$(PREFIX)/lib/pkgconfig/layernorm.pc
	install -m 644 cmake/layernormConfig.cmake $(DESTDIR)$(PREFIX)/lib/cmake/layernorm/
	sed -e 's|@VERSION@|$(LN_VERSION)|g' cmake/layernormConfigVersion.cmake.in \
	  > $(DESTDIR)$(PREFIX)/lib/cmake/layernorm/layernormConfigVersion.cmake
	chmod 644 $(DESTDIR)$(PREFIX)/lib/cmake/layernorm/layernormConfigVersion.cmake

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/include/layernorm.h $(DESTDIR)$(PREFIX)/lib/pkgconfig/layernorm.pc \
	  $(DESTDIR)$(PREFIX)/lib/cmake/layernorm/layernormConfig.cmake \
	  $(DESTDIR)$(PREFIX)/lib/cmake/layernorm/layernormConfigVersion.cmake
	-rmdir $(DESTDIR)$(PREFIX)/lib/cmake/layernorm
