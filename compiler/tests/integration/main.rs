//! The compiler's integration tests, one module per subject, in one binary so they link once.

mod common;
mod ghost;
mod lowering;
mod texts;
mod transition;
