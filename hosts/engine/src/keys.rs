//! Parameter keys: one stable number per node input, for the life of an engine.

use patchvm_ir::NodeName;
use patchvm_vm::live::ParamKey;

/// Gives each `(node id, input)` a [`ParamKey`] the first time it is asked for, and the same
/// key ever after, so events and programs agree on it across edits.
///
/// Keyed by node id, then by input name (a node has a handful), so that looking a key up
/// allocates nothing: a reload asks again for every slot of the patch. A new node's entry
/// shares its [`NodeName`] with the graph rather than copying it.
#[derive(Debug, Default)]
pub(crate) struct Keys {
    keys: foldhash::HashMap<NodeName, Vec<(&'static str, ParamKey)>>,
    /// Keys handed out so far: the next one's number.
    count: u32,
}

impl Keys {
    /// The key of input `input` of node `node`, made if it has none yet.
    pub(crate) fn key(&mut self, node: &NodeName, input: &'static str) -> ParamKey {
        if let Some(key) = self.get(node, input) {
            return key;
        }
        let key = ParamKey(self.count);
        self.count += 1;
        self.keys
            .entry(node.clone())
            .or_default()
            .push((input, key));
        key
    }

    /// The key of input `input` of node `node`, if it has one.
    pub(crate) fn get(&self, node: &str, input: &str) -> Option<ParamKey> {
        let inputs = self.keys.get(node)?;
        inputs
            .iter()
            .find(|(name, _)| *name == input)
            .map(|&(_, key)| key)
    }
}
