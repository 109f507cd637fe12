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
    /// The clip, by its index in its timeline as written.
    pub clip: u32,
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
