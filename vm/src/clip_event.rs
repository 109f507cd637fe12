//! Clip events: what a timeline kernel tells the control side after a block (a clip started
//! or ended, on an exact engine sample). The VM knows nothing of clips: it asks the kernels
//! that say they report ([`Kernel::reports_clips`](crate::Kernel::reports_clips)) to hand
//! over the last block's events, which the live audio half pushes into a queue without
//! allocating (see [`AudioHalf::send_clip_events`](crate::live::AudioHalf::send_clip_events)).

/// One clip starting or ending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClipEvent {
    /// The engine sample it happened at.
    pub time: u64,
    /// The timeline, by its index in the patch's timelines section.
    pub timeline: u32,
    /// The clip, by the [`clip_key`] of its id: the same whatever edits reorder, add or remove
    /// the clips around it, so the control side names it right after any edit.
    pub clip: u64,
    /// Whether it started or ended.
    pub what: ClipHappened,
}

/// What a [`ClipEvent`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClipHappened {
    /// The clip started sounding.
    Started,
    /// The clip ended, or was cut.
    Ended,
}

/// The number a clip event names a clip by: a hash (64-bit FNV-1a) of its id, which the
/// timeline kernel computes when built and the control side computes again to find the id.
pub fn clip_key(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::clip_key;

    #[test]
    fn a_clip_key_is_fnv_1a_of_the_id() {
        // FNV-1a's published test vectors.
        assert_eq!(clip_key(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(clip_key("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(clip_key("foobar"), 0x8594_4171_f739_67e8);
    }
}
