//! `play --fade MS`: how long a live edit fades (a structural edit's crossfade, a changed
//! value's glide), checked as the engine checks it.

use patchvm::engine::fade_problem;

/// Reads `--fade`: milliseconds within the engine's range, else the engine's message.
pub fn fade_ms(text: &str) -> Result<f64, String> {
    let ms: f64 = text
        .parse()
        .map_err(|_| format!("expected milliseconds, such as 20, not `{text}`"))?;
    match fade_problem(ms) {
        Some(problem) => Err(problem.message),
        None => Ok(ms),
    }
}

#[cfg(test)]
mod tests {
    use super::fade_ms;

    #[test]
    fn a_fade_is_milliseconds_within_the_engine_s_range() {
        assert_eq!(fade_ms("20"), Ok(20.0));
        assert_eq!(fade_ms("0"), Ok(0.0));
        assert_eq!(
            fade_ms("-5"),
            Err("fade -5 ms is outside 0..=10000 ms".to_string())
        );
        assert!(fade_ms("soon").unwrap_err().contains("`soon`"));
    }
}
