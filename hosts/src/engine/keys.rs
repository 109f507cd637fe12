//! Parameter keys: one stable number per node input, for the life of an engine.

use patchvm_vm::live::ParamKey;
use std::collections::HashMap;

/// Gives each `(node id, input)` a [`ParamKey`] the first time it is asked for, and the same
/// key ever after, so events and programs agree on it across edits.
#[derive(Debug, Default)]
pub(crate) struct Keys {
    keys: HashMap<(String, String), ParamKey>,
}

impl Keys {
    pub(crate) fn key(&mut self, node: &str, input: &str) -> ParamKey {
        let next = ParamKey(self.keys.len() as u32);
        *self
            .keys
            .entry((node.to_owned(), input.to_owned()))
            .or_insert(next)
    }
}
