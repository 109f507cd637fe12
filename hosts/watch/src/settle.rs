//! When a save is complete: which of the file's events mean its bytes are all there (reload at
//! once) and which only that a save is under way (wait for the events to be quiet).
//!
//! A writer closing the file (inotify's close-write, notify's `Access(Close(Write))`) has
//! written everything it will: every editor that writes in place ends so. A file renamed onto
//! the watched name (an editor that writes a copy and renames it over, atomically) is
//! complete at the rename. Anything else — data modified, the file created, removed or renamed
//! away (vim moving it to its backup before writing anew), and every event of a platform that
//! reports no close — means a save has begun, and the debounce waits for its end. Opens and
//! closes after reading are not changes at all: the watch's own reads show up as them.

use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{Event, EventKind};
use std::ffi::OsStr;

/// What an event naming the file calls for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Settle {
    /// The save is complete: reload now.
    Now,
    /// A save is under way: reload once the file's events have been quiet for the debounce.
    Quiet,
}

/// What `event` calls for, for the file called `name` in the watched directory; `None` if it
/// does not concern the file or changes nothing.
pub(crate) fn settle(event: &Event, name: &OsStr) -> Option<Settle> {
    let names = |path: &std::path::PathBuf| path.file_name() == Some(name);
    match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
            event.paths.iter().any(names).then_some(Settle::Now)
        }
        EventKind::Access(_) => None,
        // Renamed onto the name: `To` names the destination, `Both` the source then it.
        EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both))
            if event.paths.last().is_some_and(names) =>
        {
            Some(Settle::Now)
        }
        _ => event.paths.iter().any(names).then_some(Settle::Quiet),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange, MetadataKind, RemoveKind};
    use std::path::PathBuf;

    fn event(kind: EventKind, paths: &[&str]) -> Event {
        paths.iter().fold(Event::new(kind), |event, path| {
            event.add_path(PathBuf::from("/live").join(path))
        })
    }

    fn settle_of(kind: EventKind, paths: &[&str]) -> Option<Settle> {
        settle(&event(kind, paths), OsStr::new("beat.lisp"))
    }

    #[test]
    fn a_write_in_place_is_complete_when_the_writer_closes_the_file() {
        // `std::fs::write`, nano, VS Code: truncate, write, close.
        let modify = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let close = EventKind::Access(AccessKind::Close(AccessMode::Write));
        assert_eq!(settle_of(modify, &["beat.lisp"]), Some(Settle::Quiet));
        assert_eq!(settle_of(close, &["beat.lisp"]), Some(Settle::Now));
        // Another file's close in the same directory is nothing to this watch.
        assert_eq!(settle_of(close, &["other.lisp"]), None);
    }

    #[test]
    fn a_copy_renamed_over_the_file_is_complete_at_the_rename() {
        // Emacs, Sublime, vim with `backupcopy=no`: write `.beat.lisp.swp`, rename it over.
        let temporary = EventKind::Access(AccessKind::Close(AccessMode::Write));
        assert_eq!(settle_of(temporary, &[".beat.lisp.swp"]), None);
        let from = EventKind::Modify(ModifyKind::Name(RenameMode::From));
        let to = EventKind::Modify(ModifyKind::Name(RenameMode::To));
        let both = EventKind::Modify(ModifyKind::Name(RenameMode::Both));
        assert_eq!(settle_of(from, &[".beat.lisp.swp"]), None);
        assert_eq!(settle_of(to, &["beat.lisp"]), Some(Settle::Now));
        assert_eq!(
            settle_of(both, &[".beat.lisp.swp", "beat.lisp"]),
            Some(Settle::Now)
        );
        // The file renamed away (vim's backup before it writes anew) is a save begun.
        assert_eq!(settle_of(from, &["beat.lisp"]), Some(Settle::Quiet));
        assert_eq!(
            settle_of(both, &["beat.lisp", "beat.lisp~"]),
            Some(Settle::Quiet)
        );
    }

    #[test]
    fn other_changes_wait_for_quiet_and_reads_are_no_change() {
        for kind in [
            EventKind::Create(CreateKind::File),
            EventKind::Remove(RemoveKind::File),
            EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any)),
            // A platform that reports writes but no close (FSEvents, Windows).
            EventKind::Modify(ModifyKind::Any),
            EventKind::Any,
        ] {
            assert_eq!(
                settle_of(kind, &["beat.lisp"]),
                Some(Settle::Quiet),
                "{kind:?}"
            );
        }
        for kind in [
            EventKind::Access(AccessKind::Open(AccessMode::Any)),
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            EventKind::Access(AccessKind::Read),
        ] {
            assert_eq!(settle_of(kind, &["beat.lisp"]), None, "{kind:?}");
        }
    }
}
