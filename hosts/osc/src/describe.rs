//! Errors as the plain text of an `/error` reply: one line per problem, with the line and
//! column in the patch text where there is one.

use patchvm_engine::EngineError;
use patchvm_ir::{Diagnostic, Format, LineIndex};

/// Problems listed in one reply; the rest are counted.
const MAX_LISTED: usize = 10;

/// The format of patch text sent over OSC: JSON if it starts with `{`, else S-expression.
pub(crate) fn sniff(text: &str) -> Format {
    if text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
    {
        Format::Json
    } else {
        Format::Sexpr
    }
}

/// `diagnostics` as lines `line:column: [code] message (help: hint)`; without `text`, or
/// for a diagnostic without a span, the place is left out.
pub(crate) fn describe(diagnostics: &[Diagnostic], text: Option<&str>) -> String {
    let index = text.map(|text| (text, LineIndex::new(text)));
    let mut lines: Vec<String> = diagnostics
        .iter()
        .take(MAX_LISTED)
        .map(|diagnostic| {
            let place = match &index {
                Some((text, index)) if !diagnostic.primary.span.is_none() => {
                    let at = index.line_column(text, diagnostic.primary.span.start as usize);
                    format!("{}:{}: ", at.line, at.column)
                }
                _ => String::new(),
            };
            let hint = diagnostic
                .hint
                .as_ref()
                .map_or(String::new(), |hint| format!(" (help: {hint})"));
            format!("{place}[{}] {}{hint}", diagnostic.code, diagnostic.message)
        })
        .collect();
    if diagnostics.len() > MAX_LISTED {
        lines.push(format!(
            "… and {} more problem(s)",
            diagnostics.len() - MAX_LISTED
        ));
    }
    lines.join("\n")
}

/// An engine error as text; the diagnostics of an invalid patch each on their line.
pub(crate) fn engine_error(error: &EngineError, text: Option<&str>) -> String {
    match error {
        EngineError::Invalid(diagnostics) => describe(diagnostics, text),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use patchvm_ir::Limits;

    #[test]
    fn problems_are_placed_by_line_and_column() {
        let text = "(patch\n  (nodes\n    (osc1 (type \"osc.sin\") (freq 440))\n    (out (type \"output\"))))";
        let patch = Format::Sexpr
            .read(text.as_bytes(), &Limits::default())
            .unwrap();
        let diagnostics =
            patchvm_ir::validate(&patch, patchvm_modules::catalog(), &Limits::default())
                .unwrap_err();
        let described = describe(&diagnostics, Some(text));
        // Line 3, column 17 is where `"osc.sin"` starts.
        let column = text.lines().nth(2).unwrap().find("\"osc.sin").unwrap() + 1;
        assert_eq!(column, 17);
        assert!(
            described.starts_with("3:17: [E0101] unknown module `osc.sin` on node `osc1`"),
            "{described}"
        );
        assert!(
            described.contains("help: did you mean `osc.sine`?"),
            "{described}"
        );
        assert!(!describe(&diagnostics, None).contains("3:17"));
    }

    #[test]
    fn json_is_told_from_sexpr_by_its_first_character() {
        assert_eq!(sniff("  \n{\"nodes\": {}}"), Format::Json);
        assert_eq!(sniff("; comment\n(patch)"), Format::Sexpr);
        assert_eq!(sniff("\u{feff}{}"), Format::Json);
    }
}
