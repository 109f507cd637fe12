//! A scan of every datagram before rosc decodes it, refusing what could hurt the server.
//!
//! rosc 0.11's decoder recurses once per nested bundle with no limit: a 50 KB datagram of
//! 2 500 nested empty bundles overflows a 2 MiB thread stack in a release build (800, a
//! 16 KB datagram, in a debug build), aborting the process. Its message arrays are parsed
//! without recursion but dropped recursively: `[[[…]]]` 16 000 deep (a 32 KB type tag
//! string) overflows the same stack in a debug build when the decoded message is freed. It
//! allocates nothing by claimed sizes (a blob or bundle element longer than what is left
//! fails before any copy), but zero-byte arguments (`T`, `F`, `N`, `I`) decode to a value
//! each, so a type tag string costs memory in proportion to its length.
//!
//! So before rosc sees a datagram, [`check`] walks its structure without allocating or
//! recursing more than [`MAX_BUNDLE_DEPTH`] deep, and refuses it if it is larger than
//! [`MAX_DATAGRAM`], nests bundles deeper than [`MAX_BUNDLE_DEPTH`] or arrays deeper than
//! [`MAX_ARRAY_DEPTH`], or gives a message more than [`MAX_ARGUMENTS`] arguments. It also
//! refuses what the OSC 1.0 specification rules out and rosc would only partly catch: a
//! packet or bundle element whose size is not a multiple of 4, so every string and element
//! the scan finds starts where rosc will look for it.

use std::fmt;

/// The largest datagram taken: the largest UDP payload over IPv4.
pub const MAX_DATAGRAM: usize = 65_507;

/// Bundles nested deeper than this are refused (a bundle holding a message is depth 1).
pub const MAX_BUNDLE_DEPTH: usize = 8;

/// Arrays (`[` … `]` in a type tag string) nested deeper than this are refused.
pub const MAX_ARRAY_DEPTH: usize = 4;

/// Messages with more arguments than this are refused; no command takes nearly so many.
/// Arrays count as arguments, and so do the values in them.
pub const MAX_ARGUMENTS: usize = 256;

/// Why a datagram was refused before decoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Larger than [`MAX_DATAGRAM`].
    TooLarge,
    /// Bundles nested deeper than [`MAX_BUNDLE_DEPTH`].
    BundlesTooDeep,
    /// Arrays nested deeper than [`MAX_ARRAY_DEPTH`].
    ArraysTooDeep,
    /// A message with more than [`MAX_ARGUMENTS`] arguments.
    TooManyArguments,
    /// Not shaped like an OSC packet: empty, a size that is not a multiple of 4, a bundle
    /// element longer than its bundle, a string without its terminating zero.
    Malformed,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refusal::TooLarge => "datagram too large",
            Refusal::BundlesTooDeep => "bundles nested too deeply",
            Refusal::ArraysTooDeep => "arrays nested too deeply",
            Refusal::TooManyArguments => "too many arguments",
            Refusal::Malformed => "not an OSC packet",
        })
    }
}

/// Checks that `datagram` is safe to hand to rosc's decoder (see the module docs) and
/// returns how many messages it holds. A datagram that passes may still fail to decode; one
/// that fails is never decoded.
///
/// The count lets a caller see that rosc decoded every message: an element of a nested
/// bundle that rosc cannot decode ends that bundle early without an error (its `many0`
/// stops there, and the enclosing element's parser ignores what is left), so a broken
/// datagram could otherwise be applied in part.
pub fn check(datagram: &[u8]) -> Result<usize, Refusal> {
    if datagram.len() > MAX_DATAGRAM {
        return Err(Refusal::TooLarge);
    }
    packet(datagram, 0)
}

const BUNDLE_TAG: &[u8] = b"#bundle\0";

/// Checks one packet: `bytes` is exactly the packet, starting on a 4-byte boundary of the
/// datagram; `depth` counts the bundles around it. Returns the messages it holds.
fn packet(bytes: &[u8], depth: usize) -> Result<usize, Refusal> {
    if bytes.is_empty() || !bytes.len().is_multiple_of(4) {
        return Err(Refusal::Malformed);
    }
    if bytes.starts_with(BUNDLE_TAG) {
        bundle(bytes, depth + 1)
    } else {
        message(bytes).map(|()| 1)
    }
}

/// Checks a bundle at nesting `depth`: its tag, time tag and each size-prefixed element.
fn bundle(bytes: &[u8], depth: usize) -> Result<usize, Refusal> {
    if depth > MAX_BUNDLE_DEPTH {
        return Err(Refusal::BundlesTooDeep);
    }
    // The tag (8 bytes) and the time tag (8 bytes).
    let mut rest = bytes.get(16..).ok_or(Refusal::Malformed)?;
    let mut messages = 0;
    while !rest.is_empty() {
        let (size, after) = rest.split_first_chunk::<4>().ok_or(Refusal::Malformed)?;
        let size = u32::from_be_bytes(*size) as usize;
        if size > after.len() {
            return Err(Refusal::Malformed);
        }
        let (element, after) = after.split_at(size);
        messages += packet(element, depth)?;
        rest = after;
    }
    Ok(messages)
}

/// Checks a message: its address string, then the array depth and length of its type tags.
fn message(bytes: &[u8]) -> Result<(), Refusal> {
    let address = padded_string(bytes).ok_or(Refusal::Malformed)?;
    let tags = bytes
        .get(address..)
        .and_then(|rest| {
            let end = rest.iter().position(|&b| b == 0)?;
            Some(&rest[..end])
        })
        .ok_or(Refusal::Malformed)?;
    let (mut depth, mut arguments) = (0usize, 0usize);
    for &tag in tags.iter().skip(1) {
        match tag {
            // An array is an argument too: rosc makes a value of every `[]`, so `[][][]…`
            // must count against the limit like `NNN…`.
            b'[' => {
                depth += 1;
                arguments += 1;
                if depth > MAX_ARRAY_DEPTH {
                    return Err(Refusal::ArraysTooDeep);
                }
            }
            b']' => depth = depth.saturating_sub(1),
            _ => arguments += 1,
        }
        if arguments > MAX_ARGUMENTS {
            return Err(Refusal::TooManyArguments);
        }
    }
    Ok(())
}

/// The length of the zero-terminated string at the start of `bytes`, padded to 4 bytes.
fn padded_string(bytes: &[u8]) -> Option<usize> {
    let end = bytes.iter().position(|&b| b == 0)?;
    Some((end / 4 + 1) * 4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rosc::{OscBundle, OscMessage, OscPacket, OscTime, OscType, encoder};

    fn message(addr: &str, args: Vec<OscType>) -> OscPacket {
        OscPacket::Message(OscMessage {
            addr: addr.into(),
            args,
        })
    }

    fn nested(depth: usize) -> OscPacket {
        let mut packet = message("/ping", vec![]);
        for _ in 0..depth {
            packet = OscPacket::Bundle(OscBundle {
                timetag: OscTime::from((0, 1)),
                content: vec![packet],
            });
        }
        packet
    }

    /// A message whose type tags open `depth` arrays and close them.
    fn arrays(depth: usize) -> Vec<u8> {
        let mut bytes = b"/a\0\0".to_vec();
        bytes.push(b',');
        bytes.extend(std::iter::repeat_n(b'[', depth));
        bytes.extend(std::iter::repeat_n(b']', depth));
        bytes.push(0);
        while !bytes.len().is_multiple_of(4) {
            bytes.push(0);
        }
        bytes
    }

    #[test]
    fn bundles_pass_up_to_the_depth_limit_and_not_beyond() {
        for depth in 0..=MAX_BUNDLE_DEPTH {
            let bytes = encoder::encode(&nested(depth)).unwrap();
            assert_eq!(check(&bytes), Ok(1), "depth {depth}");
            assert!(rosc::decoder::decode_udp(&bytes).is_ok());
        }
        for depth in [MAX_BUNDLE_DEPTH + 1, 3_000] {
            let bytes = encoder::encode(&nested(depth)).unwrap();
            assert_eq!(check(&bytes), Err(Refusal::BundlesTooDeep), "depth {depth}");
        }
    }

    #[test]
    fn arrays_and_arguments_are_limited() {
        assert_eq!(check(&arrays(MAX_ARRAY_DEPTH)), Ok(1));
        assert!(rosc::decoder::decode_udp(&arrays(MAX_ARRAY_DEPTH)).is_ok());
        assert_eq!(
            check(&arrays(MAX_ARRAY_DEPTH + 1)),
            Err(Refusal::ArraysTooDeep)
        );
        assert_eq!(check(&arrays(30_000)), Err(Refusal::ArraysTooDeep));
        let many = |n| encoder::encode(&message("/a", vec![OscType::Nil; n])).unwrap();
        assert_eq!(check(&many(MAX_ARGUMENTS)), Ok(1));
        assert_eq!(
            check(&many(MAX_ARGUMENTS + 1)),
            Err(Refusal::TooManyArguments)
        );
    }

    #[test]
    fn empty_arrays_count_as_arguments() {
        // `,[][]…[]`: never deeper than 1, and no value inside, yet rosc decodes one
        // argument per pair.
        let pairs = |n: usize| {
            let mut bytes = b"/a\0\0,".to_vec();
            bytes.extend(b"[]".repeat(n));
            bytes.push(0);
            while !bytes.len().is_multiple_of(4) {
                bytes.push(0);
            }
            bytes
        };
        let decoded = |bytes: &[u8]| match rosc::decoder::decode_udp(bytes) {
            Ok((_, OscPacket::Message(message))) => message.args.len(),
            other => panic!("{other:?}"),
        };
        assert_eq!(check(&pairs(MAX_ARGUMENTS)), Ok(1));
        assert_eq!(decoded(&pairs(MAX_ARGUMENTS)), MAX_ARGUMENTS);
        let over = pairs(30_000);
        assert_eq!(decoded(&over), 30_000);
        assert_eq!(check(&over), Err(Refusal::TooManyArguments));
    }

    #[test]
    fn broken_shapes_are_refused_before_decoding() {
        let ping = encoder::encode(&message("/ping", vec![OscType::Int(1)])).unwrap();
        assert_eq!(check(&ping), Ok(1));
        for cut in 0..ping.len() {
            // Every proper prefix is refused here or by rosc; none reaches the commands.
            let prefix = &ping[..cut];
            assert!(
                check(prefix).is_err() || rosc::decoder::decode_udp(prefix).is_err(),
                "prefix of {cut} bytes"
            );
        }
        let mut bundle = encoder::encode(&nested(2)).unwrap();
        let claimed = bundle.len() as u32;
        bundle[16..20].copy_from_slice(&claimed.to_be_bytes());
        assert_eq!(check(&bundle), Err(Refusal::Malformed));
        assert_eq!(check(&vec![b'/'; MAX_DATAGRAM + 1]), Err(Refusal::TooLarge));
        assert_eq!(check(b"/a\0"), Err(Refusal::Malformed));
        assert_eq!(check(b""), Err(Refusal::Malformed));
    }
}
