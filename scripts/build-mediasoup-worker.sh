#!/usr/bin/env bash
# Build mediasoup-worker for mediasoup@VERSION on Debian 12 using ONLY the npm registry
# (`npm pack`) and Debian packages, and install the stripped binary as OUTDIR/mediasoup-worker.
#
#   usage: scripts/build-mediasoup-worker.sh VERSION OUTDIR
#
# Why this exists: `npm install mediasoup` normally downloads a prebuilt worker from the project's
# release page and, failing that, builds one with meson, fetching meson itself from PyPI and every
# C/C++ dependency from the internet. Where only the npm registry and Debian apt are reachable both
# paths fail. scripts/setup.sh calls this script only after the normal path failed.
#
# How: every meson subproject mediasoup would download is replaced by a tiny stub that wraps the
# Debian system library (meson uses an existing subprojects/<directory> as-is and never downloads);
# libsrtp3 is emulated by a C++ header shim over Debian's libsrtp2; one line of
# worker/src/RTC/DtlsTransport.cpp is fixed (see step 4); nothing else of mediasoup changes.
#
# Build deps (Debian 12; scripts/setup.sh installs them):
#   g++ make pkg-config ninja-build meson flatbuffers-compiler libflatbuffers-dev libsrtp2-dev
#   libuv1-dev libusrsctp-dev libabsl-dev libssl-dev
# Runtime libs on another Debian 12 host: libuv1 libsrtp2-1 libusrsctp2 libabsl20220623 libssl3.
#
# Environment (all optional):
#   JOBS=N                 parallel compile jobs (default: nproc)
#   MESON=/path/to/meson   meson to use (default: meson from PATH, Debian's 1.0.1)
#   KEEP_BUILD_DIR=1       keep the temporary source/build dir (for debugging)
# Takes ~4-7 min on 2 cores (225 ninja steps). Binary ~3 MB stripped.
set -Eeuo pipefail

if [ $# -ne 2 ] || [ -z "$1" ] || [ -z "$2" ]; then
  echo "usage: $0 VERSION OUTDIR" >&2
  exit 2
fi
MS_VERSION="$1"
OUTDIR="$2"
JOBS="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
MESON="${MESON:-meson}"

die() { echo "build-mediasoup-worker: ERROR: $*" >&2; exit 1; }
trap 'rc=$?; echo "build-mediasoup-worker: FAILED (exit $rc) at line $LINENO: $BASH_COMMAND" >&2' ERR

# 0. Preconditions: tools and pkg-config modules, with a hint how to get them.
missing=()
for c in "$MESON" ninja flatc pkg-config c++ cc npm tar strip install; do
  command -v "$c" >/dev/null 2>&1 || missing+=("command:$c")
done
if command -v pkg-config >/dev/null 2>&1; then
  for m in openssl libuv usrsctp libsrtp2 flatbuffers absl_flat_hash_map absl_strings absl_optional; do
    pkg-config --exists "$m" || missing+=("pkg-config:$m")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  die "missing build dependencies: ${missing[*]}
  on Debian 12: apt-get install -y --no-install-recommends g++ make pkg-config ninja-build meson \\
    flatbuffers-compiler libflatbuffers-dev libsrtp2-dev libuv1-dev libusrsctp-dev libabsl-dev libssl-dev"
fi

mkdir -p "$OUTDIR"
OUTDIR="$(cd "$OUTDIR" && pwd)"

# Work dir in a temp dir: sources + build tree are ~100 MB and are removed afterwards.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/jalsa-mediasoup-build.XXXXXX")"
cleanup() {
  if [ "${KEEP_BUILD_DIR:-0}" = 1 ]; then
    echo "build-mediasoup-worker: keeping $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
SRC="$WORK/src"; BUILD="$WORK/build"; STUBS="$WORK/stubs"
mkdir -p "$SRC" "$STUBS"

# 1. mediasoup sources from the npm tarball (the published package ships the worker sources).
#    Run npm from the temp dir so no project .npmrc/workspace settings interfere.
echo "build-mediasoup-worker: fetching mediasoup@$MS_VERSION from npm"
TGZ="$(cd "$WORK" && npm pack --loglevel=error "mediasoup@$MS_VERSION" | tail -n 1)"
[ -f "$WORK/$TGZ" ] || die "npm pack mediasoup@$MS_VERSION produced no tarball"
tar xzf "$WORK/$TGZ" -C "$SRC" --strip-components=1
[ -f "$SRC/worker/meson.build" ] || die "mediasoup@$MS_VERSION tarball has no worker/meson.build"

# 2. Stub subprojects backed by Debian libraries. Each exposes the variables mediasoup's
#    worker/meson.build reads, plus an empty static library where mediasoup `link_whole`s one.
mkdir -p "$STUBS"/{openssl,libuv,usrsctp,abseil,catch2,flatbuffers,liburing,libsrtp3/include}
cat > "$STUBS/openssl/meson.build" <<'EOF'
project('openssl', 'c')
openssl_dep = dependency('openssl', version: '>=3.0', allow_fallback: false)
libcrypto_lib = static_library('crypto_stub', 'stub.c')
libssl_lib = static_library('ssl_stub', 'stub.c')
EOF
cat > "$STUBS/libuv/meson.build" <<'EOF'
project('libuv', 'c')
libuv_dep = dependency('libuv', version: '>=1.44', allow_fallback: false)
libuv = static_library('uv_stub', 'stub.c')
EOF
printf "option('build_tests', type: 'boolean', value: false)\noption('build_benchmarks', type: 'boolean', value: false)\n" \
  > "$STUBS/libuv/meson_options.txt"
cat > "$STUBS/usrsctp/meson.build" <<'EOF'
project('usrsctp', 'c')
usrsctp_dep = dependency('usrsctp', allow_fallback: false)
usrsctp = static_library('usrsctp_stub', 'stub.c')
EOF
printf "option('sctp_build_programs', type: 'boolean', value: false)\n" > "$STUBS/usrsctp/meson_options.txt"
cat > "$STUBS/abseil/meson.build" <<'EOF'
project('abseil-cpp', 'cpp')
absl_container_dep = declare_dependency(dependencies: [
  dependency('absl_flat_hash_map', allow_fallback: false),
  dependency('absl_flat_hash_set', allow_fallback: false),
  dependency('absl_btree', allow_fallback: false),
  dependency('absl_inlined_vector', allow_fallback: false),
  dependency('absl_memory', allow_fallback: false),
])
absl_strings_dep = dependency('absl_strings', allow_fallback: false)
absl_types_dep = declare_dependency(dependencies: [
  dependency('absl_optional', allow_fallback: false),
  dependency('absl_bad_optional_access', allow_fallback: false),
])
absl_container_lib = static_library('absl_container_stub', 'stub.cpp')
EOF
cat > "$STUBS/catch2/meson.build" <<'EOF'
project('catch2', 'cpp')
catch2_dep = declare_dependency()  # only used by test targets, which are not built
EOF
cat > "$STUBS/flatbuffers/meson.build" <<'EOF'
project('flatbuffers', 'cpp')
# Debian flatbuffers 2.0.8: its flatc and headers compile mediasoup's code unchanged and the wire
# format matches the TypeScript side. worker/fbs/meson.build does find_program('flatc') -> /usr/bin/flatc
flatbuffers_dep = dependency('flatbuffers', allow_fallback: false)
flatbuffers_lib = static_library('flatbuffers_stub', 'stub.cpp')
EOF
cat > "$STUBS/liburing/meson.build" <<'EOF'
project('liburing', 'c')
# Not used: the build passes -Dms_disable_liburing=true (Debian's liburing 2.3 is too old).
uring = dependency('liburing', required: false, allow_fallback: false)
liburing = static_library('uring_stub', 'stub.c')
EOF
cat > "$STUBS/libsrtp3/meson.build" <<'EOF'
project('libsrtp3', 'c')
# Debian libsrtp2 + include/srtp.h shim providing the libsrtp3 API used by mediasoup.
libsrtp3_dep = declare_dependency(
  include_directories: include_directories('include'),
  dependencies: dependency('libsrtp2', version: '>=2.4', allow_fallback: false),
)
libsrtp3 = static_library('srtp3_stub', 'stub.c')
EOF
cat > "$STUBS/libsrtp3/meson_options.txt" <<'EOF'
option('crypto-library', type: 'combo', choices: ['none', 'openssl', 'nss', 'mbedtls'], value: 'openssl')
option('crypto-library-kdf', type: 'feature', value: 'auto')
option('tests', type: 'feature', value: 'auto')
EOF
# libsrtp3 -> libsrtp2 shim. mediasoup 3.15+ uses the libsrtp 3 API: separate in/out buffers,
# size_t lengths, srtp_stream_remove() and two new error codes. Debian 12 only has libsrtp2.
cat > "$STUBS/libsrtp3/include/srtp.h" <<'EOF'
/* libsrtp3 API shim over Debian libsrtp2 (2.4/2.5): C++ overloads with the libsrtp3
 * signatures (separate in/out buffers, size_t lengths) forwarding to the in-place
 * libsrtp2 functions, plus srtp_stream_remove() and the two new error codes. */
#ifndef MS_LIBSRTP3_COMPAT_SHIM_H
#define MS_LIBSRTP3_COMPAT_SHIM_H
#include <srtp2/srtp.h>
#ifdef __cplusplus
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
static constexpr srtp_err_status_t srtp_err_status_buffer_small = static_cast<srtp_err_status_t>(28);
static constexpr srtp_err_status_t srtp_err_status_cryptex_err  = static_cast<srtp_err_status_t>(29);
namespace ms_srtp3_compat {
inline srtp_err_status_t inplace(srtp_err_status_t (*fn)(srtp_t, void*, int*), srtp_t ctx,
  const uint8_t* in, size_t inLen, uint8_t* out, size_t* outLen, size_t extra)
{
	if (inLen > static_cast<size_t>(INT_MAX) - extra) return srtp_err_status_bad_param;
	if (*outLen < inLen + extra) return srtp_err_status_buffer_small;
	if (out != in) std::memmove(out, in, inLen);
	int len = static_cast<int>(inLen);
	const srtp_err_status_t err = fn(ctx, out, &len);
	if (err == srtp_err_status_ok) *outLen = static_cast<size_t>(len);
	return err;
}
} // namespace ms_srtp3_compat
inline srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc)
{ return srtp_remove_stream(session, ssrc); }
inline srtp_err_status_t srtp_protect(srtp_t ctx, const uint8_t* rtp, size_t rtp_len, uint8_t* srtp, size_t* srtp_len, size_t /*mki_index*/)
{ return ms_srtp3_compat::inplace(::srtp_protect, ctx, rtp, rtp_len, srtp, srtp_len, SRTP_MAX_TRAILER_LEN); }
inline srtp_err_status_t srtp_unprotect(srtp_t ctx, const uint8_t* srtp, size_t srtp_len, uint8_t* rtp, size_t* rtp_len)
{ return ms_srtp3_compat::inplace(::srtp_unprotect, ctx, srtp, srtp_len, rtp, rtp_len, 0); }
inline srtp_err_status_t srtp_protect_rtcp(srtp_t ctx, const uint8_t* rtcp, size_t rtcp_len, uint8_t* srtcp, size_t* srtcp_len, size_t /*mki_index*/)
{ return ms_srtp3_compat::inplace(::srtp_protect_rtcp, ctx, rtcp, rtcp_len, srtcp, srtcp_len, SRTP_MAX_TRAILER_LEN + 4); }
inline srtp_err_status_t srtp_unprotect_rtcp(srtp_t ctx, const uint8_t* srtcp, size_t srtcp_len, uint8_t* rtcp, size_t* rtcp_len)
{ return ms_srtp3_compat::inplace(::srtp_unprotect_rtcp, ctx, srtcp, srtcp_len, rtcp, rtcp_len, 0); }
#endif /* __cplusplus */
#endif
EOF
for d in openssl libuv usrsctp libsrtp3 liburing; do echo "int ms_stub_$d(void) { return 0; }" > "$STUBS/$d/stub.c"; done
echo 'int ms_stub_absl() { return 0; }' > "$STUBS/abseil/stub.cpp"
echo 'int ms_stub_fb() { return 0; }' > "$STUBS/flatbuffers/stub.cpp"

# Place each stub at subprojects/<directory named in the .wrap>.
SP="$SRC/worker/subprojects"
place() {
  local wrap="$SP/$1.wrap" d
  [ -f "$wrap" ] || die "mediasoup@$MS_VERSION has no subprojects/$1.wrap (layout changed?)"
  d="$(sed -n 's/^directory *= *//p' "$wrap")"
  [ -n "$d" ] || die "no 'directory =' in $wrap"
  rm -rf "${SP:?}/$d"
  cp -r "$STUBS/$2" "$SP/$d"
}
place openssl openssl; place libuv libuv; place usrsctp usrsctp; place abseil-cpp abseil
place catch2 catch2; place flatbuffers flatbuffers; place liburing liburing
if [ -f "$SP/libsrtp3.wrap" ]; then
  place libsrtp3 libsrtp3
else # mediasoup < 3.15 used libsrtp2 directly: same stub, renamed
  place libsrtp2 libsrtp3
  sed -i 's/libsrtp3/libsrtp2/g' "$SP"/libsrtp-*/meson.build
fi

# 3. Allow meson 1.0.x (Debian 12 ships 1.0.1; mediasoup declares '>= 1.1.0'). The generated
#    ninja commands are identical to those from a current meson.
MESON_VERSION="$("$MESON" --version)"
if ! awk -F. '{ exit !($1 > 1 || ($1 == 1 && $2 >= 1)) }' <<<"$MESON_VERSION"; then
  sed -i "s/meson_version: '>= 1.1.0'/meson_version: '>= 1.0.0'/" "$SRC/worker/meson.build"
  grep -q "meson_version: '>= 1.0.0'" "$SRC/worker/meson.build" \
    || die "could not relax meson_version in worker/meson.build for meson $MESON_VERSION"
fi

# 4. ONE-LINE C++ FIX, required with Debian's OpenSSL (built with kernel-TLS support):
#    mediasoup's BIO callback onSslBioOut() returns 1 for the BIO_CB_RETURN phase of BIO_ctrl()
#    calls, so BIO_get_ktls_send(wbio) reports "kernel TLS on"; OpenSSL then leaves the DTLS write
#    buffer NULL and the worker SIGSEGVs in SSL_read() during the first DTLS handshake.
#    (mediasoup's bundled OpenSSL 3.0.8 is built without KTLS, so upstream never sees it.)
DTLS_CPP="$SRC/worker/src/RTC/DtlsTransport.cpp"
sed -i 's/(operationType == BIO_CB_RETURN) ? static_cast<long>(ret) : 1;/(operationType \& BIO_CB_RETURN) ? static_cast<long>(ret) : 1;/' "$DTLS_CPP"
grep -q '(operationType & BIO_CB_RETURN) ? static_cast<long>(ret) : 1;' "$DTLS_CPP" \
  || die "DtlsTransport.cpp fix did not apply (source changed in mediasoup@$MS_VERSION?)"

# 5. Configure + build. liburing disabled: Debian's liburing 2.3 lacks io_uring_prep_sendto().
cd "$SRC/worker"
echo "build-mediasoup-worker: configuring (meson $MESON_VERSION)"
"$MESON" setup --buildtype release -Db_ndebug=true -Dms_disable_liburing=true \
  --wrap-mode=nodownload "$BUILD" >"$WORK/meson-setup.log" 2>&1 \
  || { tail -n 40 "$WORK/meson-setup.log" >&2; die "meson setup failed"; }
# Generate the FBS/*.h headers first (as mediasoup's tasks.py does): the worker target has no
# ordering dependency on them.
"$MESON" compile -C "$BUILD" flatbuffers-generator
echo "build-mediasoup-worker: compiling with $JOBS jobs"
"$MESON" compile -C "$BUILD" -j "$JOBS" mediasoup-worker
[ -x "$BUILD/mediasoup-worker" ] || die "build finished but $BUILD/mediasoup-worker is missing"

# 6. Quick self-check: without MEDIASOUP_VERSION in its env the worker exits with 41 (main.cpp),
#    which proves it loads its shared libraries and starts. Same check mediasoup's postinstall uses.
rc=0
env -i "$BUILD/mediasoup-worker" >/dev/null 2>&1 || rc=$?
[ "$rc" = 41 ] || die "built worker does not start (exit $rc, expected 41)"

# 7. Install stripped, atomically (a concurrent reader never sees a half-written file).
install -m 0755 -s "$BUILD/mediasoup-worker" "$OUTDIR/.mediasoup-worker.tmp.$$"
mv -f "$OUTDIR/.mediasoup-worker.tmp.$$" "$OUTDIR/mediasoup-worker"
echo "build-mediasoup-worker: installed $OUTDIR/mediasoup-worker ($(stat -c %s "$OUTDIR/mediasoup-worker") bytes) for mediasoup@$MS_VERSION"
