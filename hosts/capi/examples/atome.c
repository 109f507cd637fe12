/*
 * atome.c: the Atome engine's MVP milestones in order, each asserted from the samples the
 * engine renders: init, output, routing input -> master, file load and clip playback,
 * recording, monitoring, two timelines, stretch, actions, follow actions.
 *
 *   cc hosts/capi/examples/atome.c -Ispec -Ltarget/release -lpatchvm_capi -lpthread -ldl -lm -o atome
 *   ./atome hosts/capi/examples/atome-click.wav
 *
 * The WAV is 4 800 frames, mono, 48 kHz: frame i is ((i % 64) + 1) / 128. A clip at the
 * centre plays it at cos(pi/4) on each side. Prints one line per milestone and "ok" last;
 * exits 1 at the first milestone that does not hold.
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep, getpid */
#include "patchvm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RATE 48000
#define MAX_FRAMES 200000

static PvmEngine *engine;
static float left[MAX_FRAMES];
static float right[MAX_FRAMES];
static double centre;

static void fail(const char *what, int line) {
    fprintf(stderr, "line %d: %s (last error: %s)\n", line, what, pvm_engine_last_error(engine));
    exit(1);
}

#define CHECK(condition) \
    do { \
        if (!(condition)) fail(#condition, __LINE__); \
    } while (0)
#define OK(call) CHECK((call) == PVM_OK)

/* The input recorded in milestone 5, at its frame i: never 0. */
static float ramp(long i) { return (float)(i % 100 + 1) / 256.0f; }

/* The fixture's frame i. */
static double click(long i) { return (double)(i % 64 + 1) / 128.0; }

/* Renders `frames` frames in calls of 333 with every input sample at `input`, into
 * left[] and right[]. */
static void render(long frames, float input) {
    static float in[333];
    static float out[2 * 333];
    for (int i = 0; i < 333; i++) in[i] = input;
    for (long done = 0; done < frames;) {
        long n = frames - done < 333 ? frames - done : 333;
        OK(pvm_engine_process(engine, in, out, (uint32_t)n));
        for (long i = 0; i < n; i++) {
            left[done + i] = out[2 * i];
            right[done + i] = out[2 * i + 1];
        }
        done += n;
    }
}

/* The first frame of left[0..frames) that is not `floor`, or -1. */
static long onset(long frames, float floor) {
    for (long i = 0; i < frames; i++)
        if (left[i] != floor) return i;
    return -1;
}

/* Whether left[at..at+64) is the fixture from frame `from` at `gain`, over `floor`. */
static int plays_click(long at, long from, double gain, double floor) {
    for (long i = 0; i < 64; i++)
        if (fabs(left[at + i] - (floor + click(from + i) * gain)) > 1e-6) return 0;
    return 1;
}

static const char TIMELINES[] =
    "{\"nodes\": {\"mic\": {\"type\": \"input\", \"params\": {\"channel\": 0}},"
    "             \"out\": {\"type\": \"output\"}},"
    " \"connections\": [{\"from\": [\"mic\", \"out\"], \"to\": [\"out\", \"in\"]}],"
    " \"timelines\": {\"main\": {\"bpm\": 120}, \"second\": {\"bpm\": 120}}}";

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s atome-click.wav\n", argv[0]);
        return 2;
    }
    centre = cos(atan(1.0));

    /* 1. Init: an engine of one input and two outputs; its state is JSON. */
    engine = pvm_engine_new(RATE, 1, 2);
    if (!engine) {
        fprintf(stderr, "pvm_engine_new: %s\n", pvm_engine_new_error());
        return 1;
    }
    CHECK(pvm_engine_state_json(engine) != NULL);
    render(64, 0.0f);
    CHECK(onset(64, 0.0f) == -1);
    printf("1 init: ok\n");

    /* 2. Output: a 1 kHz sine at 0.5 on both channels (48 samples a period). */
    OK(pvm_routing_set(engine,
        "{\"nodes\": {\"osc\": {\"type\": \"osc.sine\", \"params\": {\"freq\": 1000}},"
        " \"level\": {\"type\": \"gain\", \"params\": {\"amp\": 0.5}}, \"out\": {\"type\": \"output\"}},"
        " \"connections\": [{\"from\": [\"osc\", \"out\"], \"to\": [\"level\", \"in\"]},"
        "                  {\"from\": [\"level\", \"out\"], \"to\": [\"out\", \"in\"]}]}"));
    render(RATE, 0.0f);
    {
        float peak = 0.0f;
        int rises = 0;
        for (long i = 1; i < RATE; i++) {
            if (fabsf(left[i]) > peak) peak = fabsf(left[i]);
            if (left[i - 1] < 0.0f && left[i] >= 0.0f) rises++;
            CHECK(left[i] == right[i]);
        }
        CHECK(fabsf(peak - 0.5f) < 1e-3f);
        CHECK(rises >= 999 && rises <= 1000);
        printf("2 output: ok peak=%.4f rises=%d\n", peak, rises);
    }

    /* 3. Routing input -> master: what goes in comes out (after the 20 ms crossfade). */
    OK(pvm_routing_set(engine, TIMELINES));
    render(4800, 0.0f);
    render(4800, 0.75f);
    for (long i = 0; i < 4800; i++) CHECK(left[i] == 0.75f && right[i] == 0.75f);
    printf("3 routing input -> master: ok\n");

    /* 4. File load and clip playback: a clip at beat 4 at 120 BPM starts 96 000 samples
     * after its timeline plays from beat 0. */
    OK(pvm_audio_file_load(engine, "click", argv[1]));
    CHECK(pvm_audio_file_load(engine, "gone", "/nonexistent.wav") == PVM_ERR_IO);
    OK(pvm_engine_set_tempo(engine, 120.0));
    OK(pvm_clip_add(engine, "main", "{\"id\": \"c1\", \"file\": \"click\", \"position\": 4}"));
    render(4800, 0.0f);
    OK(pvm_timeline_play(engine, "main", 0.0));
    render(100000, 0.0f);
    CHECK(onset(100000, 0.0f) == 96000);
    CHECK(plays_click(96000, 0, centre, 0.0));
    printf("4 file load and clip playback: ok onset=96000\n");

    /* 5. Recording: the input recorded while "main" plays, from beat 1 (24 000 samples in)
     * for 9 600 samples; the stop does not wait, the take shows once blocks are processed; it
     * is placed on "main" as clip "take1" at beat 1 and plays back from sample 24 000. */
    render(4800, 0.0f); /* c1 plays out */
    OK(pvm_timeline_stop(engine, "main"));
    OK(pvm_timeline_play(engine, "main", 0.0));
    render(24000, 0.0f);
    {
        char path[512], request[700];
        const char *tmp = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/atome-take-%ld.wav", tmp && *tmp ? tmp : "/tmp", (long)getpid());
        snprintf(request, sizeof request,
                 "{\"id\": \"take1\", \"source\": \"input\", \"path\": \"%s\", \"timeline\": \"main\"}",
                 path);
        OK(pvm_record_start(engine, request));
        CHECK(pvm_record_start(engine, request) == PVM_ERR_STATE); /* the second click */
        static float in[96];
        static float out[2 * 96];
        for (long done = 0; done < 9600; done += 96) {
            for (long i = 0; i < 96; i++) in[i] = ramp(done + i);
            OK(pvm_engine_process(engine, in, out, 96));
        }
        OK(pvm_record_stop(engine, "take1"));
        CHECK(pvm_record_stop(engine, "take1") == PVM_ERR_STATE);
        CHECK(pvm_record_take_json(engine, "take1") == NULL);
        CHECK(strstr(pvm_engine_last_error(engine), "stopping") != NULL);
        const char *take = NULL;
        int blocks = 0;
        while (take == NULL && blocks < 5000) {
            render(64, 0.0f);
            blocks++;
            take = pvm_record_take_json(engine, "take1");
            if (take == NULL) { /* the writer thread closes the file */
                struct timespec ms = {0, 1000000};
                nanosleep(&ms, NULL);
            }
        }
        CHECK(take != NULL);
        CHECK(strstr(take, "\"frames\":9600,") != NULL);
        CHECK(strstr(take, "\"frames_lost\":0,") != NULL);
        const char *state = pvm_engine_state_json(engine);
        CHECK(state && strstr(state, "\"recordings\":[{") != NULL);
        CHECK(strstr(state, "\"file\":\"take1\"") != NULL);
        CHECK(strstr(state, "\"recorder\":{\"recordings\":[],") != NULL); /* idle */
        /* The clip on "main": file "take1" at beat 1. */
        const char *clip = strstr(state, "{\"id\":\"take1\",\"file\":\"take1\"");
        const char *end = clip ? strchr(clip, '}') : NULL;
        const char *position = clip ? strstr(clip, "\"position\":1.0}") : NULL;
        CHECK(position != NULL && position < end);
        OK(pvm_timeline_stop(engine, "main"));
        OK(pvm_timeline_play(engine, "main", 0.0));
        render(40000, 0.0f);
        CHECK(onset(40000, 0.0f) == 24000);
        double gain = left[24000] / ramp(0);
        CHECK(gain > 0.5 && gain <= 1.0);
        for (long i = 0; i < 9600; i++) CHECK(fabs(left[24000 + i] - ramp(i) * gain) < 1e-6);
        CHECK(left[24000 + 9600] == 0.0f);
        OK(pvm_clip_remove(engine, "main", "take1"));
        remove(path);
        printf("5 recording: ok frames=9600 onset=24000 after %d blocks\n", blocks);
    }

    /* 6. Monitoring: the input heard while the timeline plays, the clip mixed over it. */
    render(4800, 0.25f); /* c1 plays out its 4 800 frames */
    OK(pvm_timeline_play(engine, "main", 0.0));
    render(100000, 0.25f);
    CHECK(left[0] == 0.25f && left[95999] == 0.25f);
    CHECK(plays_click(96000, 0, centre, 0.25));
    printf("6 monitoring: ok\n");

    /* 7. Two timelines: "second" plays its clip at beat 2 (48 000) beside "main". */
    OK(pvm_clip_add(engine, "second", "{\"id\": \"s1\", \"file\": \"click\", \"position\": 2, \"pan\": -1}"));
    render(4800, 0.0f);
    OK(pvm_timeline_play(engine, "main", 0.0));
    OK(pvm_timeline_play(engine, "second", 0.0));
    render(100000, 0.0f);
    CHECK(onset(100000, 0.0f) == 48000);
    CHECK(plays_click(48000, 0, 1.0, 0.0)); /* panned hard left: all of it */
    CHECK(right[48010] == 0.0f);
    CHECK(plays_click(96000, 0, centre, 0.0));
    {
        const char *state = pvm_engine_state_json(engine);
        CHECK(state && strstr(state, "\"name\":\"second\",\"playing\":true"));
    }
    printf("7 two timelines: ok onsets=48000,96000\n");

    /* 8. Stretch: this library is built without the `stretch` feature (Signalsmith Stretch
     * needs libclang to build), so a stretched clip is refused and names the feature; a
     * stretch outside 0.25..4 is out of range in any build. */
    CHECK(pvm_clip_add(engine, "main",
                       "{\"id\": \"c2\", \"file\": \"click\", \"position\": 8, \"stretch\": 2}")
          == PVM_ERR_INVALID_PATCH);
    CHECK(strstr(pvm_engine_last_error(engine), "--features stretch") != NULL);
    CHECK(pvm_clip_add(engine, "main",
                       "{\"id\": \"c2\", \"file\": \"click\", \"position\": 8, \"stretch\": 5}")
          == PVM_ERR_RANGE);
    printf("8 stretch: refused without the feature, as expected\n");

    /* 9. Actions: a level set on an exact engine sample. */
    OK(pvm_timeline_stop(engine, "main"));
    OK(pvm_timeline_stop(engine, "second"));
    OK(pvm_routing_update(engine,
        "[{\"op\": \"add\", \"id\": \"level\", \"module\": \"gain\", \"params\": {\"amp\": 1}},"
        " {\"op\": \"disconnect\", \"from\": [\"mic\", \"out\"], \"to\": [\"out\", \"in\"]},"
        " {\"op\": \"connect\", \"from\": [\"mic\", \"out\"], \"to\": [\"level\", \"in\"]},"
        " {\"op\": \"connect\", \"from\": [\"level\", \"out\"], \"to\": [\"out\", \"in\"]}]"));
    render(4800, 0.5f);
    {
        const char *metrics = pvm_engine_metrics_json(engine);
        const char *frames = metrics ? strstr(metrics, "\"frames\":") : NULL;
        CHECK(frames != NULL);
        uint64_t now = strtoull(frames + 9, NULL, 10);
        uint64_t at = now + 1001;
        OK(pvm_engine_set_param_at(engine, "level", "amp", 0.25f, at));
        render(4800, 0.5f);
        CHECK(left[1000] == 0.5f && left[1001] == 0.125f);
        printf("9 actions: ok level changed on sample %llu\n", (unsigned long long)at);
    }

    /* 10. Follow actions: clip f1 (10 ms) follows with `next`, so f2, written at beat 8,
     * plays as f1 ends (sample 480), not 4 s later. */
    OK(pvm_clip_remove(engine, "main", "c1"));
    OK(pvm_clip_add(engine, "main",
                    "{\"id\": \"f1\", \"file\": \"click\", \"position\": 0, \"length\": 0.01, \"follow\": \"next\"}"));
    OK(pvm_clip_add(engine, "main", "{\"id\": \"f2\", \"file\": \"click\", \"position\": 8, \"length\": 0.01}"));
    render(4800, 0.0f);
    OK(pvm_timeline_play(engine, "main", 0.0));
    render(1000, 0.0f);
    CHECK(plays_click(0, 0, centre, 0.0));
    CHECK(plays_click(416, 416, centre, 0.0));
    CHECK(plays_click(480, 0, centre, 0.0));
    /* A follow action that starts another timeline: f2 ends at 960 and starts "second"
     * from its beat 0 there, so s1 (at beat 2 of "second", panned hard left) sounds at
     * 960 + 48 000; "main" hands over and stays silent after f2. */
    OK(pvm_clip_update(engine, "f2", "{\"follow\": [\"timeline\", \"second\"]}"));
    render(4800, 0.0f);
    OK(pvm_timeline_play(engine, "main", 0.0));
    render(60000, 0.0f);
    CHECK(plays_click(480, 0, centre, 0.0));
    for (long i = 960 + 96; i < 48960; i++) CHECK(left[i] == 0.0f);
    CHECK(plays_click(48960, 0, 1.0, 0.0));
    printf("10 follow actions: ok next at 480, second timeline at 48960\n");

    CHECK(pvm_engine_free(engine) == PVM_OK);
    printf("ok\n");
    return 0;
}
