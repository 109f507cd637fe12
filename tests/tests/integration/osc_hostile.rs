//! 100 000 hostile datagrams — random bytes, truncated messages, bundles and arrays nested
//! thousands deep, wrong types, unknown addresses, bad values, bit flips — after which the
//! server still answers `/ping`, still changes a frequency, and its counters add up.

use patchvm::ir::PatchBuilder;
use patchvm::osc::OscStats;
use patchvm::vm::MAX_BLOCK;
use patchvm_tests::measure::frequency;
use patchvm_tests::osc::{Client, Rig, message, s};
use rosc::{OscBundle, OscPacket, OscTime, OscType, encoder};

const DATAGRAMS: usize = 100_000;

/// SplitMix64: a fixed stream of numbers, so a failure replays.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// What the test knows each datagram must be counted as, at least.
#[derive(Default, Debug)]
struct Expected {
    malformed: u64,
    wrong_arguments: u64,
    unknown_address: u64,
    failed: u64,
    applied: u64,
    /// Bundles holding no message: decoded, but counted in no message counter.
    empty_bundles: u64,
    /// Datagrams of random bytes and bit flips: each is malformed or one message.
    unknown_outcome: u64,
}

fn encode(packet: &OscPacket) -> Vec<u8> {
    encoder::encode(packet).unwrap()
}

fn param_set(freq: f32) -> OscPacket {
    message(
        "/param/set",
        vec![s("osc1"), s("freq"), OscType::Float(freq)],
    )
}

/// A message whose outcome is known, and that outcome's counter.
fn known_message(random: &mut Random, expected: &mut Expected) -> OscPacket {
    match random.below(4) {
        0 => {
            expected.wrong_arguments += 1;
            let wrong = [
                message("/param/set", vec![s("osc1"), s("freq"), s("loud")]),
                message("/patch/remove", vec![OscType::Int(3)]),
                message("/note/on", vec![OscType::Float(60.0), OscType::Float(1.0)]),
                message("/patch/connect", vec![s("a"), s("b"), s("c")]),
                message("/patch/undo", vec![OscType::Nil]),
                message("/patch/load", vec![OscType::Bool(true)]),
            ];
            wrong[random.below(wrong.len())].clone()
        }
        1 => {
            expected.unknown_address += 1;
            let name: String = (0..1 + random.below(20))
                .map(|_| char::from(b'a' + random.below(26) as u8))
                .collect();
            message(&format!("/zz/{name}"), vec![OscType::Int(1)])
        }
        2 => {
            expected.failed += 1;
            let bad = [
                message("/patch/remove", vec![s("nobody")]),
                message("/note/on", vec![OscType::Int(300), OscType::Float(0.5)]),
                message("/param/set", vec![s("osc1"), s("fre"), OscType::Float(1.0)]),
                message("/patch/load", vec![s("(patch (nodes")]),
                message("/patch/disconnect", vec![s("a"), s("b"), s("c"), s("d")]),
            ];
            bad[random.below(bad.len())].clone()
        }
        _ => {
            expected.applied += 1;
            param_set(20.0 + random.below(2_000) as f32)
        }
    }
}

fn bundle(depth: usize, content: Vec<OscPacket>) -> OscPacket {
    let mut packet = OscPacket::Bundle(OscBundle {
        timetag: OscTime::from((0, 1)),
        content,
    });
    for _ in 1..depth {
        packet = OscPacket::Bundle(OscBundle {
            timetag: OscTime::from((0, 1)),
            content: vec![packet],
        });
    }
    packet
}

fn deep_arrays(depth: usize) -> Vec<u8> {
    let mut bytes = b"/param/set\0\0,".to_vec();
    bytes.extend(std::iter::repeat_n(b'[', depth));
    bytes.extend(std::iter::repeat_n(b']', depth));
    bytes.push(0);
    while !bytes.len().is_multiple_of(4) {
        bytes.push(0);
    }
    bytes
}

/// One hostile datagram, and what it must count as.
fn datagram(random: &mut Random, expected: &mut Expected) -> Vec<u8> {
    match random.below(20) {
        // Random bytes of any length, any outcome (almost always malformed).
        0..=4 => {
            expected.unknown_outcome += 1;
            let len = random.below(257);
            random.bytes(len)
        }
        // A proper prefix of a valid message.
        5..=7 => {
            expected.malformed += 1;
            let whole = encode(&param_set(440.0));
            whole[..random.below(whole.len())].to_vec()
        }
        // Bundles nested past the limit, up to 3 000 deep (60 KB).
        8 => {
            expected.malformed += 1;
            encode(&bundle(9 + random.below(2_992), vec![param_set(1.0)]))
        }
        // Arrays nested past the limit, up to 30 000 deep.
        9 => {
            expected.malformed += 1;
            deep_arrays(5 + random.below(30_000))
        }
        // One bit flipped in a valid message: any outcome.
        10..=11 => {
            expected.unknown_outcome += 1;
            let mut bytes = encode(&param_set(440.0));
            let bit = random.below(bytes.len() * 8);
            bytes[bit / 8] ^= 1 << (bit % 8);
            bytes
        }
        // Bundles within the limit holding known messages.
        12..=13 => {
            let content: Vec<OscPacket> = (0..random.below(6))
                .map(|_| known_message(random, expected))
                .collect();
            if content.is_empty() {
                expected.empty_bundles += 1;
            }
            encode(&bundle(1 + random.below(8), content))
        }
        // Single known messages.
        _ => encode(&known_message(random, expected)),
    }
}

#[test]
fn a_hundred_thousand_hostile_datagrams_leave_the_server_answering() {
    let mut rig = Rig::new(
        PatchBuilder::new()
            .node("osc1", "osc.sine", &[("freq", 440.0)])
            .node("out", "output", &[])
            .connect(("osc1", "out"), ("out", "in"))
            .build(),
    );
    let client = Client::new(rig.server.local_addr());
    let mut random = Random(0x05c_ba11);
    let mut expected = Expected::default();
    let (mut pending, mut pending_bytes, mut syncs) = (0, 0, 0);
    let started = std::time::Instant::now();
    for sent in 1..=DATAGRAMS {
        let bytes = datagram(&mut random, &mut expected);
        client.send_bytes(&bytes);
        pending += 1;
        // What a datagram costs in the server's receive buffer, roughly.
        pending_bytes += bytes.len() + 1_024;
        // Wait for the server to catch up before its receive buffer could overflow, so no
        // datagram is lost and the counts can be checked exactly.
        if pending == 64 || pending_bytes > 120_000 || sent == DATAGRAMS {
            syncs += 1;
            client.sync(syncs);
            rig.render(MAX_BLOCK);
            (pending, pending_bytes) = (0, 0);
        }
    }
    let elapsed = started.elapsed();
    // Still answering, and still playing what it is told.
    syncs += 1;
    client.sync(syncs);
    client.send(&param_set(330.0));
    syncs += 1;
    assert!(client.sync(syncs).is_empty());
    rig.render(MAX_BLOCK);
    let samples = rig.render(48_000);
    let hz = frequency(&samples, 48_000.0).unwrap();
    assert!((hz - 330.0).abs() < 0.5, "measured {hz} Hz");

    let stats: OscStats = rig.server.stats();
    eprintln!(
        "{DATAGRAMS} hostile datagrams in {elapsed:.2?}: {stats:?}; known at least {expected:?}"
    );
    let syncs = syncs as u64;
    assert_eq!(stats.datagrams, DATAGRAMS as u64 + syncs + 1);
    assert_eq!(
        stats.messages,
        stats.applied + stats.unknown_address + stats.wrong_arguments + stats.failed
    );
    assert_eq!(
        stats.errors_replied,
        stats.unknown_address + stats.wrong_arguments + stats.failed
    );
    assert_eq!(stats.replies_lost, 0);
    assert!(stats.malformed >= expected.malformed);
    assert!(stats.wrong_arguments >= expected.wrong_arguments);
    assert!(stats.unknown_address >= expected.unknown_address);
    assert!(stats.failed >= expected.failed);
    // The pings, the last /param/set and the valid ones sent among the rest.
    let known_applied = expected.applied + syncs + 1;
    assert!(stats.applied >= known_applied);
    // Each datagram of unknown outcome adds exactly one count somewhere.
    let extra = (stats.malformed - expected.malformed)
        + (stats.wrong_arguments - expected.wrong_arguments)
        + (stats.unknown_address - expected.unknown_address)
        + (stats.failed - expected.failed)
        + (stats.applied - known_applied);
    assert_eq!(extra, expected.unknown_outcome);
}

#[test]
fn a_nested_bundle_with_an_undecodable_element_is_refused_whole() {
    let mut rig = Rig::new(
        PatchBuilder::new()
            .node("osc1", "osc.sine", &[("freq", 440.0)])
            .node("out", "output", &[])
            .connect(("osc1", "out"), ("out", "in"))
            .build(),
    );
    let client = Client::new(rig.server.local_addr());
    // An inner bundle holding a valid /param/set and then an element rosc cannot decode
    // (its address does not start with `/`), inside an outer bundle. rosc stops the inner
    // bundle at the broken element without an error and the outer one ignores the rest.
    let mut inner = encode(&bundle(1, vec![param_set(330.0)]));
    inner.extend_from_slice(&8_u32.to_be_bytes());
    inner.extend_from_slice(b"xyz\0,\0\0\0");
    let mut outer = b"#bundle\0".to_vec();
    outer.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 1]);
    outer.extend_from_slice(&(inner.len() as u32).to_be_bytes());
    outer.extend_from_slice(&inner);
    client.send_bytes(&outer);
    assert!(client.sync(1).is_empty());
    let stats = rig.server.stats();
    assert_eq!((stats.datagrams, stats.malformed), (2, 1), "{stats:?}");
    assert_eq!((stats.messages, stats.applied), (1, 1), "{stats:?}");
    // Nothing of it was applied: still 440 Hz.
    rig.render(MAX_BLOCK);
    let hz = frequency(&rig.render(48_000), 48_000.0).unwrap();
    assert!((hz - 440.0).abs() < 0.5, "measured {hz} Hz");
}
