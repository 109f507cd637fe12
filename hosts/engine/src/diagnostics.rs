//! Rendering diagnostics for people: `file:line:column`, the source line, labels and a hint.

use crate::source::SourceFile;
use ariadne::{CharSet, Config, IndexType, Label, Report, ReportKind, Source};
use patchvm_ir::{Diagnostic, LineIndex};

/// How rendered diagnostics look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Colours and box-drawing characters, for terminals.
    Terminal,
    /// Plain ASCII, for logs, pipes and golden tests.
    Plain,
}

/// Renders `diagnostic`, found in `source`, as text ending in a newline.
///
/// Diagnostics with a span into a text file show the line; others (MessagePack files, limits
/// on the whole file) show the file name and the message.
pub fn render(diagnostic: &Diagnostic, source: &SourceFile, style: Style) -> String {
    let name = source.path.display().to_string();
    let Some(text) = source.text().filter(|_| !diagnostic.primary.span.is_none()) else {
        return render_without_source(diagnostic, &name);
    };
    // A very long line (a minified file) is not worth printing: give its place instead.
    let index = LineIndex::new(text);
    let at = index.line_column(text, diagnostic.primary.span.start as usize);
    if index.line_text(text, at.line).len() > MAX_SHOWN_LINE {
        let place = format!("{name}:{}:{}", at.line, at.column);
        return render_without_source(diagnostic, &place);
    }
    let span = |span: patchvm_ir::Span| (name.clone(), span.range());
    let config = Config::default()
        .with_index_type(IndexType::Byte)
        .with_color(style == Style::Terminal)
        .with_char_set(match style {
            Style::Terminal => CharSet::Unicode,
            Style::Plain => CharSet::Ascii,
        });
    let mut report = Report::build(ReportKind::Error, span(diagnostic.primary.span))
        .with_config(config)
        .with_code(diagnostic.code)
        .with_message(&diagnostic.message)
        .with_label(
            Label::new(span(diagnostic.primary.span)).with_message(&diagnostic.primary.message),
        );
    for label in diagnostic
        .secondary
        .iter()
        .filter(|label| !label.span.is_none())
    {
        report.add_label(Label::new(span(label.span)).with_message(&label.message));
    }
    if let Some(hint) = &diagnostic.hint {
        report.set_help(hint);
    }
    let mut out = Vec::new();
    report
        .finish()
        .write((name.clone(), Source::from(text)), &mut out)
        .expect("writing to a Vec cannot fail");
    String::from_utf8_lossy(&out).into_owned()
}

/// Source lines longer than this are not printed with their diagnostic.
const MAX_SHOWN_LINE: usize = 400;

/// The header and hint of a diagnostic, at `place` (a file, or `file:line:column`), in the
/// same words as the full form.
fn render_without_source(diagnostic: &Diagnostic, place: &str) -> String {
    let mut text = format!(
        "[{}] Error: {}\n   ,-[ {place} ]\n",
        diagnostic.code, diagnostic.message
    );
    if let Some(hint) = &diagnostic.hint {
        text.push_str(&format!("   | Help: {hint}\n"));
    }
    text
}
