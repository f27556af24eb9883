#!/usr/bin/env bash
# Builds and runs tests/consumer/main.c every way a user can pick up layernorm.h:
#   cmake add_subdirectory, cmake FetchContent, `make install` + find_package,
#   `make install` + pkg-config, `cmake --install` (same files as make install) + pkg-config,
#   and checks the layout of `make install DESTDIR=... PREFIX=/usr/local`.
# Prints "consumer: N passed, M failed". Needs cmake and pkg-config (or pkgconf).
set -u
cd "$(dirname "$0")/../.."
root=$PWD
# A fresh directory per run: several people may run `make test` in one tree at once.
mkdir -p "$root/build"
work=$(mktemp -d "$root/build/consumer.XXXXXX") || exit 1
pass=0 fail=0
step() { # step NAME CMD...: run, count, show the log on failure
  local name=$1; shift
  if "$@" >"$work/$name.log" 2>&1; then
    pass=$((pass + 1)); echo "ok   $name"
  else
    fail=$((fail + 1)); echo "FAIL $name"; tail -n 15 "$work/$name.log" | sed 's/^/   | /'
  fi
}
cmake_consumer() { # cmake_consumer MODE BUILD_DIR [extra -D...]
  local mode=$1 dir=$2; shift 2
  cmake -S "$root/tests/consumer" -B "$dir" -DLN_MODE="$mode" -DLAYERNORM_SOURCE="$root" "$@" &&
    cmake --build "$dir" && "$dir/consumer"
}
pc_consumer() { # pc_consumer PKG_CONFIG_PATH OUT
  local flags
  flags=$(PKG_CONFIG_PATH=$1 pkg-config --cflags --libs layernorm) || return 1
  echo "pkg-config: $flags"
  # shellcheck disable=SC2086
  cc -std=c99 -Wall -Wextra -Werror -o "$2" "$root/tests/consumer/main.c" $flags && "$2"
}
layout() { # layout DIR: exactly the files install promises, with the header verbatim
  local d=$1
  cmp "$d/include/layernorm.h" "$root/layernorm.h" &&
    test -f "$d/lib/pkgconfig/layernorm.pc" &&
    test -f "$d/lib/cmake/layernorm/layernormConfig.cmake" &&
    test -f "$d/lib/cmake/layernorm/layernormConfigVersion.cmake" &&
    grep -qx 'prefix=/usr/local' "$d/lib/pkgconfig/layernorm.pc" &&
    grep -q "^Version: $(sed -n 's/^#define LAYERNORM_VERSION_STRING "\(.*\)"/\1/p' "$root/layernorm.h")\$" \
      "$d/lib/pkgconfig/layernorm.pc"
}

step cmake-add_subdirectory cmake_consumer subdir "$work/subdir"
step cmake-FetchContent     cmake_consumer fetch  "$work/fetch"

# make install into a prefix, then find_package and pkg-config against it.
step make-install make -s install PREFIX="$work/prefix"
step make-install-find_package cmake_consumer find "$work/find" -DCMAKE_PREFIX_PATH="$work/prefix"
step make-install-pkg-config pc_consumer "$work/prefix/lib/pkgconfig" "$work/pc_consumer"
# find_package must refuse an incompatible version (the configure has to fail).
step find_package-rejects-9.9 bash -c "! cmake -S '$root/tests/consumer' -B '$work/badver' \
  -DLN_MODE=find -DLN_FIND_VERSION=9.9 -DCMAKE_PREFIX_PATH='$work/prefix'"

# DESTDIR staging: the tree lands under DESTDIR with PREFIX baked into the .pc file.
destdir_install() { make -s install DESTDIR="$work/stage" PREFIX=/usr/local && layout "$work/stage/usr/local"; }
step make-install-DESTDIR-layout destdir_install

# CMake's own install rules give the same tree.
cmake_self_install() {
  cmake -S "$root" -B "$work/self" -DCMAKE_INSTALL_PREFIX="$work/cprefix" && cmake --install "$work/self"
}
step cmake-install cmake_self_install
# (same files as make install; find_package from that tree is the make-install step above)
same_tree() { diff <(cd "$work/prefix" && find . -type f | sort) <(cd "$work/cprefix" && find . -type f | sort) &&
  diff "$work/prefix/lib/cmake/layernorm/layernormConfigVersion.cmake" \
       "$work/cprefix/lib/cmake/layernorm/layernormConfigVersion.cmake"; }
step cmake-install-same-files same_tree
step cmake-install-pkg-config pc_consumer "$work/cprefix/lib/pkgconfig" "$work/pc_consumer2"

echo "consumer: $pass passed, $fail failed"
if [ "$fail" -eq 0 ]; then rm -rf "$work"; else echo "logs kept in $work"; exit 1; fi
