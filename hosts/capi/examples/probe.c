/*
 * probe.c: reads a node's output from C while the patch plays. A saw plays straight into the
 * output of a mono engine, so after each block of 64 frames the probe's value must be the
 * block's last output sample, bit for bit; unknown nodes, outputs and a NULL value are
 * refused with their codes.
 *
 *   cargo build --release -p patchvm-capi
 *   cc hosts/capi/examples/probe.c -Ispec -Ltarget/release -lpatchvm_capi -lpthread -ldl -lm -o probe
 *   ./probe
 *
 * Prints `matched=N waiting=W` and then `ok`; exits 0 on success, 1 on any error.
 */
#include "patchvm.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define BLOCK 64
#define BLOCKS 200

static int fail(PvmEngine *engine, const char *what) {
    fprintf(stderr, "%s: %s\n", what, pvm_engine_last_error(engine));
    pvm_engine_free(engine);
    return 1;
}

int main(void) {
    static const char patch[] =
        "(patch (nodes (osc1 (type \"osc.saw\") (freq 220)) (out (type \"output\")))"
        " (connections (osc1 \"out\" -> out \"in\")))";
    PvmEngine *engine = pvm_engine_new(48000.0, 0, 1);
    if (!engine) {
        fprintf(stderr, "pvm_engine_new: %s\n", pvm_engine_new_error());
        return 1;
    }
    if (pvm_engine_load(engine, patch, strlen(patch)) != PVM_OK) return fail(engine, "load");

    float value = 0.0f;
    /* The first call subscribes: nothing is published until a block plays. */
    if (pvm_engine_probe(engine, "osc1", "out", &value) != PVM_OK) return fail(engine, "probe");
    if (!isnan(value)) return fail(engine, "a value before any block");

    float out[BLOCK];
    int matched = 0, waiting = 0;
    for (int block = 0; block < BLOCKS; block++) {
        if (pvm_engine_process(engine, NULL, out, BLOCK) != PVM_OK) return fail(engine, "process");
        if (pvm_engine_probe(engine, "osc1", "out", &value) != PVM_OK) {
            return fail(engine, "probe");
        }
        if (isnan(value)) {
            waiting++;
        } else if (value == out[BLOCK - 1]) {
            matched++;
        } else {
            fprintf(stderr, "block %d: probe %.9g, output %.9g\n", block, value, out[BLOCK - 1]);
            return fail(engine, "mismatch");
        }
    }

    if (pvm_engine_probe(engine, "osc2", "out", &value) != PVM_ERR_PARAM) {
        return fail(engine, "an unknown node");
    }
    if (!strstr(pvm_engine_last_error(engine), "E0132")) return fail(engine, "its message");
    if (pvm_engine_probe(engine, "osc1", "in", &value) != PVM_ERR_PARAM) {
        return fail(engine, "an unknown output");
    }
    if (pvm_engine_probe(engine, "osc1", "out", NULL) != PVM_ERR_NULL) {
        return fail(engine, "a NULL value");
    }
    if (pvm_engine_probe(NULL, "osc1", "out", &value) != PVM_ERR_NULL) {
        return fail(engine, "a NULL engine");
    }

    printf("matched=%d waiting=%d\n", matched, waiting);
    pvm_engine_free(engine);
    printf("ok\n");
    return 0;
}
