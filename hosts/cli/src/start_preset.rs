//! `play --preset NAME`: the session starts from preset `NAME` (`NAME.preset.json` beside
//! the patch, as `/preset/save` wrote it). Loaded right after the patch, before the first
//! block plays, so its values are heard from the first sample.

use crate::failure::Failure;
use patchvm::Controller;
use patchvm::engine::{PresetError, RecallAt};

/// Loads preset `name` into `controller`, which has a patch; names the inputs it skipped
/// (ones the patch no longer has) on stderr.
pub fn load(controller: &mut Controller, name: &str) -> Result<(), Failure> {
    let loaded = controller
        .load_preset(name, RecallAt::Now)
        .map_err(|error| match error {
            PresetError::Name(_) => Failure::Usage(format!("--preset: {error}")),
            other => Failure::File(format!("--preset: {other}")),
        })?;
    if !loaded.skipped.is_empty() {
        eprintln!(
            "preset `{name}`: skipped {} (not in the patch)",
            loaded.skipped.join(", ")
        );
    }
    Ok(())
}
