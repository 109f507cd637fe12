/*
 * threads.c: one engine driven from two threads, as an application does. An audio thread
 * calls pvm_engine_process in chunks of 64, 128 and 333 frames for two seconds of audio,
 * paced roughly like a sound card; meanwhile a control thread loads patches (some invalid,
 * which must be refused while the last good one keeps playing), sets parameters, plays
 * notes and reads the metrics (a load refused as busy, programs waiting behind crossfades,
 * is back-pressure: counted, not an error). No locks: process is the audio side, everything
 * else the control side, each used by one thread.
 *
 *   cc hosts/capi/examples/threads.c -Ispec -Ltarget/release -lpatchvm_capi -lpthread -ldl -lm -o threads
 *   ./threads
 *
 * Prints the counts; exits 0 if every call did what it should and every sample is finite.
 */
#define _POSIX_C_SOURCE 200809L
#include "patchvm.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SAMPLE_RATE 48000
#define CHANNELS 2
#define TOTAL_FRAMES (2 * SAMPLE_RATE)

static const char *const PATCHES[] = {
    /* A sine through a gain. */
    "(patch (nodes (osc1 (type \"osc.sine\") (freq 440)) (gain1 (type \"gain\") (amp 0.5))"
    "              (out (type \"output\")))"
    "       (connections (osc1 \"out\" -> gain1 \"in\") (gain1 \"out\" -> out \"in\")))",
    /* The same with a filtered saw added: a structural change, crossfaded. */
    "(patch (nodes (osc1 (type \"osc.sine\") (freq 330)) (gain1 (type \"gain\") (amp 0.4))"
    "              (saw (type \"osc.saw\") (freq 110)) (lp (type \"filter.lowpass\") (cutoff 900))"
    "              (out (type \"output\")))"
    "       (connections (osc1 \"out\" -> gain1 \"in\") (gain1 \"out\" -> out \"in\")"
    "                    (saw \"out\" -> lp \"in\") (lp \"out\" -> out \"in\")))",
    /* JSON, stereo. */
    "{\"nodes\": {\"osc1\": {\"type\": \"osc.sine\", \"params\": {\"freq\": 220}},"
    "             \"gain1\": {\"type\": \"gain\", \"params\": {\"amp\": 0.3}},"
    "             \"out\": {\"type\": \"output\"}},"
    " \"connections\": [{\"from\": [\"osc1\", \"out\"], \"to\": [\"gain1\", \"in\"]},"
    "                  {\"from\": [\"gain1\", \"out\"], \"to\": [\"out\", \"left\"]},"
    "                  {\"from\": [\"osc1\", \"out\"], \"to\": [\"out\", \"right\"]}]}",
};
/* Refused with PVM_ERR_INVALID_PATCH: an unknown module. */
static const char INVALID[] =
    "(patch (nodes (osc1 (type \"osc.sin\") (freq 440)) (out (type \"output\")))"
    "       (connections (osc1 \"out\" -> out \"in\")))";

static PvmEngine *engine;
static atomic_bool audio_done;

/* Audio thread results. */
static long blocks, frames_rendered, process_errors, not_finite;
static float peak;

/* Control thread results. */
static long loads, busy, rejected, params, notes, metrics_reads, control_errors;

static void sleep_us(long us) {
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

static void *audio_thread(void *arg) {
    (void)arg;
    static float out[333 * CHANNELS];
    static const uint32_t chunks[] = {64, 128, 333};
    long done = 0;
    for (int i = 0; done < TOTAL_FRAMES; i++) {
        uint32_t frames = chunks[i % 3];
        if (TOTAL_FRAMES - done < frames) frames = (uint32_t)(TOTAL_FRAMES - done);
        int32_t status = pvm_engine_process(engine, NULL, out, frames);
        if (status != PVM_OK) {
            fprintf(stderr, "process: %s\n", pvm_status_message(status));
            process_errors++;
        }
        for (uint32_t s = 0; s < frames * CHANNELS; s++) {
            if (!isfinite(out[s])) not_finite++;
            else if (fabsf(out[s]) > peak) peak = fabsf(out[s]);
        }
        done += frames;
        blocks++;
        /* Roughly the pace of a sound card: the chunk's duration, halved. */
        sleep_us((long)frames * 1000000L / SAMPLE_RATE / 2);
    }
    frames_rendered = done;
    atomic_store(&audio_done, true);
    return NULL;
}

static void check(int32_t status, const char *what) {
    if (status != PVM_OK) {
        fprintf(stderr, "%s: %s\n%s\n", what, pvm_status_message(status),
                pvm_engine_last_error(engine));
        control_errors++;
    }
}

static void *control_thread(void *arg) {
    (void)arg;
    check(pvm_engine_bind_notes(engine, "osc1", "freq", NULL, NULL), "bind_notes");
    for (int i = 0; !atomic_load(&audio_done); i++) {
        if (i % 4 == 3) {
            int32_t status = pvm_engine_load(engine, INVALID, strlen(INVALID));
            if (status == PVM_ERR_INVALID_PATCH && strstr(pvm_engine_last_error(engine), "osc.sin"))
                rejected++;
            else
                check(status == PVM_OK ? -100 : status, "invalid load was not refused");
        } else {
            const char *text = PATCHES[i % 3];
            int32_t status = pvm_engine_load(engine, text, strlen(text));
            /* Back-pressure, not a failure: each structural change crossfades over the fade
             * time (20 ms), and loads every 5 ms outrun it; nothing changed, try later. */
            if (status == PVM_ERR_BUSY)
                busy++;
            else {
                check(status, "load");
                loads++;
            }
        }
        check(pvm_engine_set_param(engine, "osc1", "freq", 200.0f + (float)(i % 7) * 100.0f),
              "set_param");
        check(pvm_engine_set_param(engine, "gain1", "amp", 0.25f), "set_param");
        params += 2;
        check(pvm_engine_note_on(engine, 57 + i % 12, 0.8f), "note_on");
        check(pvm_engine_note_off(engine, 57 + i % 12), "note_off");
        notes += 2;
        const char *metrics = pvm_engine_metrics_json(engine);
        if (!metrics || metrics[0] != '{') check(-100, "metrics_json");
        metrics_reads++;
        sleep_us(5000);
    }
    return NULL;
}

int main(void) {
    engine = pvm_engine_new(SAMPLE_RATE, 0, CHANNELS);
    if (!engine) {
        fprintf(stderr, "pvm_engine_new: %s\n", pvm_engine_new_error());
        return 1;
    }
    pthread_t audio, control;
    if (pthread_create(&audio, NULL, audio_thread, NULL) != 0 ||
        pthread_create(&control, NULL, control_thread, NULL) != 0) {
        fprintf(stderr, "cannot start threads\n");
        return 1;
    }
    pthread_join(audio, NULL);
    pthread_join(control, NULL);
    /* Both threads are done: nothing else touches the engine now. */
    printf("metrics %s\n", pvm_engine_metrics_json(engine));
    pvm_engine_free(engine);

    printf("blocks=%ld frames=%ld process_errors=%ld not_finite=%ld peak=%.6f\n", blocks,
           frames_rendered, process_errors, not_finite, peak);
    printf("loads=%ld busy=%ld rejected=%ld params=%ld notes=%ld metrics=%ld control_errors=%ld\n",
           loads, busy, rejected, params, notes, metrics_reads, control_errors);
    int ok = process_errors == 0 && not_finite == 0 && control_errors == 0 &&
             frames_rendered == TOTAL_FRAMES && loads > 0 && rejected > 0 && peak > 0.0f &&
             peak <= 2.0f;
    printf("%s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
