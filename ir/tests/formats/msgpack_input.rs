//! MessagePack: hostile headers, nesting, string keys and errors without spans.

use super::*;

fn msgpack_error(bytes: &[u8]) -> Diagnostic {
    one(msgpack::read(bytes, &limits()).unwrap_err())
}

#[test]
fn msgpack_garbage_is_a_syntax_error() {
    let problem = msgpack_error(&[0xff, 0x00, 0x13]);
    assert_eq!(problem.code, Code::Syntax);
    assert!(
        problem.message.starts_with("invalid MessagePack: "),
        "{}",
        problem.message
    );
    assert_eq!(problem.primary.span, Span::NONE);
}

#[test]
fn msgpack_huge_length_headers_do_not_allocate() {
    let cases: [&[u8]; 4] = [
        &[0xdd, 0xee, 0x6b, 0x28, 0x00, 0x01], // array32 of 4e9 elements
        &[0xdb, 0xee, 0x6b, 0x28, 0x00, b'a'], // str32 of 4e9 bytes
        &[0xdf, 0xee, 0x6b, 0x28, 0x00, 0xa1, b'a'], // map32 of 4e9 entries
        &[0xc6, 0xee, 0x6b, 0x28, 0x00, 0x00], // bin32 of 4e9 bytes
    ];
    for bytes in cases {
        assert_eq!(msgpack_error(bytes).code, Code::Syntax, "{bytes:x?}");
    }
    // The same str32 header as a map key.
    let key = [0x81, 0xdb, 0xee, 0x6b, 0x28, 0x00, b'n'];
    assert_eq!(msgpack_error(&key).code, Code::Syntax);
}

#[test]
fn msgpack_deep_nesting_is_a_limit() {
    let mut bytes = vec![0x91; 200_000]; // fixarray of one element, nested
    bytes.push(0x01);
    let problem = msgpack_error(&bytes);
    assert_eq!(problem.code, Code::Limit);
    assert!(problem.hint.unwrap().contains("`--max-depth`"));

    let mut maps = [0x81, 0xa1, b'k'].repeat(200_000); // {"k": {"k": ...}}
    maps.push(0xc0);
    assert_eq!(msgpack_error(&maps).code, Code::Limit);

    let mut fits = vec![0x91; limits().max_depth];
    fits.push(0x01);
    let problem = msgpack_error(&fits);
    assert_eq!(problem.code, Code::Shape, "{problem:#?}");
}

#[test]
fn msgpack_trailing_bytes_and_bad_keys_are_syntax_errors() {
    let mut bytes = msgpack::write(&seed());
    bytes.push(0xc0);
    let problem = msgpack_error(&bytes);
    assert_eq!(
        problem.message,
        "invalid MessagePack: 1 bytes after the end of the patch"
    );
    // {1: {}}
    assert_eq!(msgpack_error(&[0x81, 0x01, 0x80]).code, Code::Syntax);
}

#[test]
fn msgpack_maps_have_string_keys() {
    let bytes = msgpack::write(&Patch::default());
    // fixmap(2) "nodes" fixmap(0) "connections" fixarray(0)
    let mut expected = vec![0x82, 0xa5];
    expected.extend_from_slice(b"nodes");
    expected.extend_from_slice(&[0x80, 0xab]);
    expected.extend_from_slice(b"connections");
    expected.push(0x90);
    assert_eq!(bytes, expected);
}

#[test]
fn msgpack_reads_integers_and_reports_shapes_without_spans() {
    // {"nodes": {"a": {"type": "t", "params": {"n": 7, "m": -3, "b": true}}}}
    let mut bytes = vec![0x81, 0xa5];
    bytes.extend_from_slice(b"nodes");
    bytes.extend_from_slice(&[0x81, 0xa1, b'a', 0x82, 0xa4]);
    bytes.extend_from_slice(b"type");
    bytes.extend_from_slice(&[0xa1, b't', 0xa6]);
    bytes.extend_from_slice(b"params");
    bytes.extend_from_slice(&[0x83, 0xa1, b'n', 0x07, 0xa1, b'm', 0xfd, 0xa1, b'b', 0xc3]);
    let problem = msgpack_error(&bytes);
    assert_eq!(problem.code, Code::WrongType);
    assert_eq!(
        problem.message,
        "unsupported value `true` for parameter `b` on node `a`"
    );
    assert_eq!(problem.primary.span, Span::NONE);

    let last = bytes.len() - 1;
    bytes[last] = 0xcb; // a float64 follows
    bytes.extend_from_slice(&0.25f64.to_be_bytes());
    let patch = msgpack::read(&bytes, &limits()).unwrap();
    let values: Vec<&ValueKind> = patch.nodes[0]
        .params
        .iter()
        .map(|p| &p.value.kind)
        .collect();
    assert_eq!(
        values,
        [
            &ValueKind::Number(7.0),
            &ValueKind::Number(-3.0),
            &ValueKind::Number(0.25)
        ]
    );
}

#[test]
fn msgpack_string_limit_applies_to_keys_and_values() {
    let small = Limits {
        max_string_bytes: 11,
        ..Limits::default()
    };
    let patch = PatchBuilder::new().node("a", "t", &[]).build();
    assert!(msgpack::read(&msgpack::write(&patch), &small).is_ok());
    let patch = PatchBuilder::new().node("abcdefghijkl", "t", &[]).build();
    let problem = one(msgpack::read(&msgpack::write(&patch), &small).unwrap_err());
    assert_eq!(problem.code, Code::Limit);
    let patch = PatchBuilder::new().node("a", "abcdefghijkl", &[]).build();
    let problem = one(msgpack::read(&msgpack::write(&patch), &small).unwrap_err());
    assert_eq!(problem.code, Code::Limit);
}
