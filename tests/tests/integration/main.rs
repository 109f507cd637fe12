//! patchvm's integration tests, one module per subject, in one binary so the suite links the
//! engine once. One subject alone: `cargo test -p patchvm-tests --test integration SUBJECT::`.

mod allocations;
mod denormals;
mod docs;
mod errors;
mod events;
mod examples;
mod formats;
mod fuzz_corpora;
mod golden;
mod instance_realtime;
mod instruments;
mod live;
mod midi;
mod midi_files;
mod modules;
mod notes_out;
mod osc;
mod osc_hostile;
mod osc_paced;
mod patterns;
mod properties;
mod realtime;
mod scenes;
mod shorthand;
mod smooth_edits;
mod snapshots;
mod spec_files;
mod swap;
mod template_edits;
mod templates;
mod toy;
mod transport;
mod transport_section;
mod voices_realtime;
