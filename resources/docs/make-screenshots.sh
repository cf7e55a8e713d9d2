#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# README's screenshots, drawn by SocketScope itself (--export-image, the path File › Export
# Image takes): the built program runs headless on loopback with ephemeral ports, spawns its
# clients, quits by itself and writes the diagram.
#   resources/docs/make-screenshots.sh BINARY [OUTDIR]
#   e.g. resources/docs/make-screenshots.sh build/release/app/socketscope
# OUTDIR defaults to this directory (resources/docs). Builds nothing. Needs ImageMagick's
# convert: the export is 2x for sharp text; reduced to 256 colours, undithered, each file
# stays well under 300 kB and looks the same.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 SOCKETSCOPE-BINARY [OUTDIR]" >&2
    exit 2
fi
binary=$(realpath "$1")
outdir=${2:-$(dirname "$(realpath "$0")")}
[ -x "$binary" ] || { echo "socketscope: $1 is not an executable" >&2; exit 2; }
[ -d "$outdir" ] || { echo "socketscope: $outdir is not a directory" >&2; exit 2; }
command -v convert >/dev/null || { echo "socketscope: convert not found (apt-get install imagemagick)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Its own settings (a fresh light theme, no remembered window), nothing of the user's.
export XDG_CONFIG_HOME="$work/config" XDG_RUNTIME_DIR="$work/runtime"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

# shot NAME ARGS...: one headless run on 127.0.0.1, any free ports, the diagram as NAME.png.
shot() {
    local name=$1
    shift
    "$binary" -platform offscreen --bind 127.0.0.1 --tcp-port 0 --udp-port 0 --quit-after 3000 \
        --export-image "$work/$name.png" "$@" 2>"$work/$name.log" || {
        echo "socketscope: the run for $name.png failed:" >&2
        cat "$work/$name.log" >&2
        exit 1
    }
    convert "$work/$name.png" -strip -alpha off +dither -colors 256 \
        -define png:compression-level=9 "$work/$name.small.png"
    mv "$work/$name.small.png" "$outdir/$name.png"
    local size
    size=$(stat -c %s "$outdir/$name.png")
    if [ "$size" -gt $((300 * 1024)) ]; then
        echo "socketscope: $outdir/$name.png is $size bytes, over 300 kB" >&2
        exit 1
    fi
    printf '%s/%s.png  %s  %s bytes\n' "$outdir" "$name" \
        "$(identify -format '%wx%h' "$outdir/$name.png")" "$size"
}

# The front page: one listener, an accepted socket per client on the same port, and UDP's
# one socket beside its clients' (event loop, the default model).
shot screenshot --clients 3 --udp-clients 2
# The other two concurrency models, TCP only: a child process per client, a thread per client.
shot process-model --clients 3 --model process --no-udp
shot thread-model --clients 3 --model thread --no-udp
