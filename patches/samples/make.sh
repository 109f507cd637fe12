#!/bin/sh
# Renders patchvm's own drum kit: each NAME.lisp here, a drum module struck once at sample 0,
# to NAME.wav (48 kHz, 16-bit, mono). Run from anywhere: `sh patches/samples/make.sh`.
set -eu
here=$(dirname "$0")
patchvm=${PATCHVM:-patchvm}
for sound in kick:0.5 snare:0.3 hat:0.1 open-hat:0.5 clap:0.35 tom:0.4; do
    name=${sound%%:*}
    seconds=${sound#*:}
    "$patchvm" render "$here/$name.lisp" -o "$here/$name.wav" \
        --seconds "$seconds" --bits 16 --channels 1 --seed 1
done
