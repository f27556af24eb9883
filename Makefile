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
