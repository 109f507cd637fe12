/*
 * render.c: loads a patch file and renders one second of it, 48 kHz stereo, to a WAV file
 * (32-bit float).
 *
 *   cargo build --release -p patchvm-capi
 *   cc hosts/capi/examples/render.c -Ispec -Ltarget/release -lpatchvm_capi -lpthread -ldl -lm -o render
 *   ./render patches/toy.lisp toy.wav
 *
 * Prints the frames rendered and the peak level; exits 0 on success, 1 on any error.
 */
#include "patchvm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define SAMPLE_RATE 48000
#define CHANNELS 2
#define BLOCK 512

/* Reads the whole file at `path` into a new buffer; sets `*len`. NULL on failure. */
static char *read_file(const char *path, size_t *len) {
    FILE *file = fopen(path, "rb");
    if (!file) return NULL;
    char *text = NULL;
    long size = -1;
    if (fseek(file, 0, SEEK_END) == 0) size = ftell(file);
    if (size >= 0 && fseek(file, 0, SEEK_SET) == 0) {
        text = malloc((size_t)size + 1);
        if (text && fread(text, 1, (size_t)size, file) != (size_t)size) {
            free(text);
            text = NULL;
        }
    }
    fclose(file);
    if (text) *len = (size_t)size;
    return text;
}

static void put_u16(FILE *file, uint16_t value) {
    unsigned char bytes[2] = {value & 0xff, value >> 8};
    fwrite(bytes, 1, 2, file);
}

static void put_u32(FILE *file, uint32_t value) {
    unsigned char bytes[4] = {value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, value >> 24};
    fwrite(bytes, 1, 4, file);
}

/* Writes interleaved float samples as a WAVE_FORMAT_IEEE_FLOAT file, little-endian. */
static int write_wav(const char *path, const float *samples, uint32_t frames) {
    FILE *file = fopen(path, "wb");
    if (!file) return -1;
    uint32_t data_bytes = frames * CHANNELS * 4;
    fwrite("RIFF", 1, 4, file);
    put_u32(file, 4 + (8 + 16) + (8 + data_bytes));
    fwrite("WAVE", 1, 4, file);
    fwrite("fmt ", 1, 4, file);
    put_u32(file, 16);
    put_u16(file, 3); /* IEEE float */
    put_u16(file, CHANNELS);
    put_u32(file, SAMPLE_RATE);
    put_u32(file, SAMPLE_RATE * CHANNELS * 4);
    put_u16(file, CHANNELS * 4);
    put_u16(file, 32);
    fwrite("data", 1, 4, file);
    put_u32(file, data_bytes);
    for (uint32_t i = 0; i < frames * CHANNELS; i++) {
        union { float f; uint32_t u; } bits = {.f = samples[i]};
        put_u32(file, bits.u);
    }
    int failed = ferror(file);
    return fclose(file) == 0 && !failed ? 0 : -1;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s PATCH OUT.wav\n", argv[0]);
        return 1;
    }
    size_t len = 0;
    char *text = read_file(argv[1], &len);
    if (!text) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }

    PvmEngine *engine = pvm_engine_new(SAMPLE_RATE, 0, CHANNELS);
    if (!engine) {
        fprintf(stderr, "pvm_engine_new: %s\n", pvm_engine_new_error());
        free(text);
        return 1;
    }
    int32_t status = pvm_engine_load(engine, text, len);
    free(text);
    if (status != PVM_OK) {
        fprintf(stderr, "%s\n", pvm_engine_last_error(engine));
        pvm_engine_free(engine);
        return 1;
    }

    static float samples[SAMPLE_RATE * CHANNELS];
    for (uint32_t done = 0; done < SAMPLE_RATE; done += BLOCK) {
        uint32_t frames = SAMPLE_RATE - done < BLOCK ? SAMPLE_RATE - done : BLOCK;
        status = pvm_engine_process(engine, NULL, samples + done * CHANNELS, frames);
        if (status != PVM_OK) {
            fprintf(stderr, "pvm_engine_process: %s\n", pvm_status_message(status));
            pvm_engine_free(engine);
            return 1;
        }
    }
    printf("metrics %s\n", pvm_engine_metrics_json(engine));
    pvm_engine_free(engine);

    float peak = 0.0f;
    for (size_t i = 0; i < SAMPLE_RATE * CHANNELS; i++) {
        if (!isfinite(samples[i])) {
            fprintf(stderr, "sample %zu is not finite\n", i);
            return 1;
        }
        if (fabsf(samples[i]) > peak) peak = fabsf(samples[i]);
    }
    if (write_wav(argv[2], samples, SAMPLE_RATE) != 0) {
        fprintf(stderr, "cannot write %s\n", argv[2]);
        return 1;
    }
    printf("patchvm %s: rendered %d frames of %d channels to %s, peak %.6f\n", pvm_version(),
           SAMPLE_RATE, CHANNELS, argv[2], peak);
    return 0;
}
