//! Rendering diagnostics for people: `file:line:column`, the source line, labels and a hint.
//!
//! A [`Renderer`] indexes its source's lines once and then renders any number of diagnostics
//! against that index, so rejecting a large file with many problems costs one pass over the
//! file, not one per problem.

use crate::source::SourceFile;
use ariadne::{CharSet, Config, IndexType, Label, Report, ReportKind, Source};
use patchvm_ir::{Diagnostic, LineIndex, Severity, Span};

/// How rendered diagnostics look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Colours and box-drawing characters, for terminals.
    Terminal,
    /// Plain ASCII, for logs, pipes and golden tests.
    Plain,
}

/// Renders the diagnostics of one source file, its lines indexed once.
#[derive(Debug)]
pub struct Renderer<'s> {
    name: String,
    style: Style,
    /// The text with its two line indexes (ours for `line:column`, ariadne's for the
    /// report), or `None` for a source without text (MessagePack, invalid UTF-8).
    text: Option<Indexed<'s>>,
    /// The sub-patch files the source's expansion read, each with the offset its spans start
    /// at, in order (see [`SourceFile::included`]).
    included: Vec<(u32, Renderer<'s>)>,
}

/// A source text and the indexes built from it, once.
#[derive(Debug)]
struct Indexed<'s> {
    text: &'s str,
    lines: LineIndex,
    source: Source<&'s str>,
}

impl<'s> Renderer<'s> {
    /// A renderer for diagnostics found in `source`; indexes the source's lines.
    pub fn new(source: &'s SourceFile, style: Style) -> Renderer<'s> {
        Renderer {
            name: source.path.display().to_string(),
            style,
            text: source.text().map(|text| Indexed {
                text,
                lines: LineIndex::new(text),
                source: Source::from(text),
            }),
            included: source
                .included
                .iter()
                .map(|included| (included.base, Renderer::new(&included.file, style)))
                .collect(),
        }
    }

    /// Renders `diagnostic` as text ending in a newline.
    ///
    /// Diagnostics with a span into a text file show the line; others (MessagePack files,
    /// limits on the whole file) show the file name and the message.
    /// A diagnostic inside a sub-patch file is rendered against that file, with its name.
    pub fn render(&self, diagnostic: &Diagnostic) -> String {
        if self.included.is_empty() {
            return self.render_here(diagnostic);
        }
        let start = diagnostic.primary.span.start;
        let at = self
            .included
            .partition_point(|(base, _)| *base <= start && !diagnostic.primary.span.is_none());
        let (base, end) = match at {
            0 => (0, self.included[0].0),
            at => (
                self.included[at - 1].0,
                self.included.get(at).map_or(u32::MAX, |(next, _)| *next),
            ),
        };
        let within = in_file(diagnostic, base, end);
        match at {
            0 => self.render_here(&within),
            at => self.included[at - 1].1.render_here(&within),
        }
    }

    /// Renders `diagnostic`, whose spans are all in this renderer's own file.
    fn render_here(&self, diagnostic: &Diagnostic) -> String {
        let name = &self.name;
        let Some(indexed) = self
            .text
            .as_ref()
            .filter(|_| !diagnostic.primary.span.is_none())
        else {
            return render_without_source(diagnostic, name);
        };
        // A very long line (a minified file) is not worth printing: give its place instead.
        let at = indexed
            .lines
            .line_column(indexed.text, diagnostic.primary.span.start as usize);
        if indexed.lines.line_text(indexed.text, at.line).len() > MAX_SHOWN_LINE {
            let place = format!("{name}:{}:{}", at.line, at.column);
            return render_without_source(diagnostic, &place);
        }
        let span = |span: Span| (name.as_str(), span.range());
        let config = Config::default()
            .with_index_type(IndexType::Byte)
            .with_color(self.style == Style::Terminal)
            .with_char_set(match self.style {
                Style::Terminal => CharSet::Unicode,
                Style::Plain => CharSet::Ascii,
            });
        let kind = match diagnostic.code.severity() {
            Severity::Error => ReportKind::Error,
            Severity::Warning => ReportKind::Warning,
        };
        let mut report = Report::build(kind, span(diagnostic.primary.span))
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
            .write((name.as_str(), &indexed.source), &mut out)
            .expect("writing to a Vec cannot fail");
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Renders every diagnostic, in order, as one text.
    pub fn render_all<'d>(&self, diagnostics: impl IntoIterator<Item = &'d Diagnostic>) -> String {
        diagnostics
            .into_iter()
            .map(|diagnostic| self.render(diagnostic))
            .collect()
    }
}

/// `diagnostic` as seen in the file whose spans run from `base` to before `end`: its spans
/// moved back by `base`, labels in other files left out.
fn in_file(diagnostic: &Diagnostic, base: u32, end: u32) -> Diagnostic {
    let inside = |span: Span| span.is_none() || (base <= span.start && span.end < end);
    let back = |span: Span| match span.is_none() {
        true => span,
        false => Span::new((span.start - base) as usize, (span.end - base) as usize),
    };
    let mut moved = diagnostic.clone();
    moved.primary.span = back(moved.primary.span);
    moved.secondary.retain(|label| inside(label.span));
    for label in &mut moved.secondary {
        label.span = back(label.span);
    }
    moved
}

/// Source lines longer than this are not printed with their diagnostic.
const MAX_SHOWN_LINE: usize = 400;

/// The header and hint of a diagnostic, at `place` (a file, or `file:line:column`), in the
/// same words as the full form.
fn render_without_source(diagnostic: &Diagnostic, place: &str) -> String {
    let severity = match diagnostic.code.severity() {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
    };
    let mut text = format!(
        "[{}] {severity}: {}\n   ,-[ {place} ]\n",
        diagnostic.code, diagnostic.message
    );
    if let Some(hint) = &diagnostic.hint {
        text.push_str(&format!("   | Help: {hint}\n"));
    }
    text
}
