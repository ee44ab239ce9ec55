#!/usr/bin/env bash
# `make dist`: dist/credit-scoring-linux-x86_64.tar.gz, one folder credit-scoring/ with bin/ (credit,
# credit-fcgi, credit-worker), models/, site/ and the docs. The executables carry the Swift standard
# library and Foundation (--static-swift-stdlib) and link libfcgi, SQLite, libcrypto and zlib
# statically from Debian's -dev packages, so they need only glibc, libstdc++, libgcc_s and libm.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
arch=$(uname -m)
work=$root/.build-dist
static=$work/static-libs
multiarch=$(gcc -print-multiarch 2>/dev/null || echo "$arch-linux-gnu")
mkdir -p "$static/pkgconfig"

# pkg-config files that point the linker at a folder holding only the static archives, so that
# it cannot pick the shared libraries that sit beside them in the system folder.
for library in fcgi sqlite3 crypto z; do
  archive=/usr/lib/$multiarch/lib$library.a
  [ -f "$archive" ] || { echo "missing $archive: install libfcgi-dev libsqlite3-dev libssl-dev zlib1g-dev" >&2; exit 1; }
  ln -sf "$archive" "$static/"
done
pc() { printf 'Name: %s\nDescription: static %s\nVersion: 0\nLibs: -L%s %s\nCflags:\n' "$1" "$1" "$static" "$2" > "$static/pkgconfig/$1.pc"; }
pc fcgi "-lfcgi"
pc sqlite3 "-lsqlite3 -lz -lm"
pc libcrypto "-lcrypto -lz -ldl -lpthread"

PKG_CONFIG_PATH=$static/pkgconfig swift build -c release --scratch-path "$work/build" --static-swift-stdlib \
  -Xlinker -L"$static" 2>&1 | grep -vE "warning: the use of .mktemp" || true
bin=$work/build/release
for program in credit credit-fcgi credit-worker; do [ -x "$bin/$program" ] || { echo "build failed: no $program" >&2; exit 1; }; done

stage=$work/stage/credit-scoring
rm -rf "$work/stage" && mkdir -p "$stage/bin" "$stage/models" "$stage/docs"
for program in credit credit-fcgi credit-worker; do
  strip -o "$stage/bin/$program" "$bin/$program"
  # Nothing the host must provide beyond the C runtime.
  if ldd "$stage/bin/$program" | grep -E 'libfcgi|libsqlite3|libcrypto|libswift|libFoundation|libz\.|libicu' >&2; then
    echo "$program still links a library dynamically (above)" >&2; exit 1
  fi
done
cp -R site "$stage/site"
cp models/*.json models/*.md models/*.svg "$stage/models/"
cp README.md CHANGELOG.md "$stage/"
cp -R docs/. "$stage/docs/"
mkdir -p dist
tarball=dist/credit-scoring-linux-$arch.tar.gz
tar -C "$work/stage" --owner=0 --group=0 -czf "$tarball" credit-scoring
glibc=$(for program in "$stage"/bin/*; do objdump -T "$program" | grep -o 'GLIBC_[0-9.]*'; done | sort -uV | tail -1)
echo "$tarball: $(du -h "$tarball" | cut -f1); needs $glibc or newer"
for program in "$stage"/bin/*; do echo "  $(basename "$program"): $(du -h "$program" | cut -f1) stripped"; done
