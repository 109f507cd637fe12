//! `play --tail-max SECONDS`: how long the effects a live edit removes (a reverb, a delay)
//! may ring out before they fade out, checked as the engine checks it.

use patchvm::engine::tail_max_problem;

/// Reads `--tail-max`: seconds within the engine's range, else the engine's message.
pub fn tail_max_s(text: &str) -> Result<f64, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("expected seconds, such as 4, not `{text}`"))?;
    match tail_max_problem(seconds) {
        Some(problem) => Err(problem.message),
        None => Ok(seconds),
    }
}

#[cfg(test)]
mod tests {
    use super::tail_max_s;

    #[test]
    fn a_tail_limit_is_seconds_within_the_engine_s_range() {
        assert_eq!(tail_max_s("0.5"), Ok(0.5));
        assert_eq!(tail_max_s("0"), Ok(0.0));
        assert_eq!(
            tail_max_s("61"),
            Err("tail-max 61 s is outside 0..=60 s".to_string())
        );
        assert!(tail_max_s("long").unwrap_err().contains("`long`"));
    }
}
