//! The cost of querying a mini-notation pattern, per cycle and per event, for a drum
//! pattern, a chord pattern and a nested pattern: what `seq.pattern` pays on the audio
//! thread. Each iteration queries 16 cycles into a buffer reserved once; criterion's
//! throughput gives the cost per event (the events of those 16 cycles), and the per-cycle
//! cost is the iteration time divided by 16. Also the parse, which runs off the audio thread.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use patchvm_pattern::mini::{Pattern, Rational};
use std::hint::black_box;

const CYCLES: i64 = 16;

const PATTERNS: [(&str, &str); 3] = [
    ("drums", "bd*2 [~ bd] sd? [bd bd], hh*8, ~ cp(3,8,2)"),
    (
        "chords",
        "<[c3,eb3,g3] [f3,ab3,c4] [g3,b3,d4]@2>*2 [c4,e4]:0.5",
    ),
    (
        "nested",
        "[bd <sd [cp cp]> {hh oh, ht lt mt}%4 [c4 <eb4 [g4 bb4]>]!2 | a(5,8)]*2",
    ),
];

fn query(c: &mut Criterion) {
    let mut group = c.benchmark_group("pattern_query");
    for (name, text) in PATTERNS {
        let pattern = Pattern::parse(text).unwrap();
        let mut out = Vec::with_capacity(pattern.max_events_per_cycle() * CYCLES as usize);
        pattern.query(Rational::ZERO..Rational::integer(CYCLES), 0, &mut out);
        group.throughput(Throughput::Elements(out.len() as u64));
        group.bench_function(BenchmarkId::new("16 cycles", name), |b| {
            b.iter(|| {
                out.clear();
                pattern.query(
                    Rational::ZERO..Rational::integer(CYCLES),
                    black_box(0),
                    &mut out,
                );
                black_box(out.len())
            })
        });
    }
    group.finish();
    let mut group = c.benchmark_group("pattern_parse");
    for (name, text) in PATTERNS {
        group.bench_function(name, |b| {
            b.iter(|| Pattern::parse(black_box(text)).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, query);
criterion_main!(benches);
