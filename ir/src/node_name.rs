//! `NodeName`: a node's id, shared rather than copied once the graph is built.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A node's id as the graph, the compiler's node tables and the engine's keys and builds all
/// hold it: made once when the graph is built, then cloned by reference count, so that no
/// stage after it allocates the name again (a live engine goes through every stage on each
/// edit, for every node). Compares, hashes and orders as its text, and borrows as `&str`, so
/// maps keyed by it are looked up with a plain `&str`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeName(Arc<str>);

impl NodeName {
    /// The id's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for NodeName {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for NodeName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for NodeName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for NodeName {
    fn from(text: &str) -> NodeName {
        NodeName(text.into())
    }
}

impl From<String> for NodeName {
    fn from(text: String) -> NodeName {
        NodeName(text.into())
    }
}

impl PartialEq<str> for NodeName {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for NodeName {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for NodeName {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl fmt::Display for NodeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for NodeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::NodeName;

    #[test]
    fn a_clone_shares_the_text_and_compares_as_it() {
        let name = NodeName::from("osc1");
        let clone = name.clone();
        assert!(std::ptr::eq(name.as_str(), clone.as_str()));
        assert_eq!(clone, "osc1");
        assert_eq!(format!("{clone} {clone:?}"), "osc1 \"osc1\"");
        let (a, b) = (NodeName::from("a"), NodeName::from("b"));
        assert!(a < b);
    }
}
