//! What a build of patchvm leaves out: a module (or a setting of one) whose code sits behind a
//! cargo feature the build was made without. The module stays in the catalog, so the reference
//! and every port are the same in all builds, but a patch that uses it is refused with a
//! diagnostic (E0125) saying which feature builds it, before anything is compiled.
//!
//! ```
//! use patchvm_ir::{Code, NotBuilt, Span};
//! const NO_STRETCH: NotBuilt = NotBuilt { what: "time-stretch", feature: "stretch", input: "semitones" };
//! let problem = NO_STRETCH.diagnostic(Span::new(4, 9), "node `shift`");
//! assert_eq!(problem.code, Code::NotBuilt);
//! assert_eq!(problem.message, "this build has no time-stretch, which node `shift` asks for");
//! assert_eq!(problem.hint.as_deref(), Some("build with --features stretch"));
//! ```

use crate::diagnostic::{Code, Diagnostic};
use crate::patch::Node;
use crate::span::Span;

/// What a build lacks of a module, and the feature that builds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotBuilt {
    /// What the build lacks, in a few lowercase words: `"time-stretch"`.
    pub what: &'static str,
    /// The cargo feature that builds it: `"stretch"`.
    pub feature: &'static str,
    /// The module's input whose value asks for it: a node that sets it is refused at that
    /// value, any other at its module's name.
    pub input: &'static str,
}

impl NotBuilt {
    /// The diagnostic for `offender` (`"node `shift`"`, `"clip `intro`"`) asking for it at
    /// `span`; for hosts and sections that check their own values (a clip's pitch).
    pub fn diagnostic(&self, span: Span, offender: &str) -> Diagnostic {
        Diagnostic::new(
            Code::NotBuilt,
            span,
            format!("this build has no {}, which {offender} asks for", self.what),
        )
        .with_label(format!("needs the `{}` feature", self.feature))
        .with_hint(format!("build with --features {}", self.feature))
    }

    /// The diagnostic for `node`, a node of the module left out: at the value of its input
    /// [`NotBuilt::input`] if it sets it, else at its module's name.
    pub fn for_node(&self, node: &Node) -> Diagnostic {
        let span = node
            .params
            .iter()
            .find(|param| param.name.text == self.input)
            .map_or(node.module.span, |param| param.value.span);
        self.diagnostic(span, &format!("node `{}`", node.id.text))
    }
}
