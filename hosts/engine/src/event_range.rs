//! The one rule every parameter event obeys, whichever host sends it (the API, OSC, the C
//! ABI): its value is finite and inside the input's range in the catalog — the range patch
//! validation holds a parameter's value to — or it is refused before anything is queued,
//! so the audio thread never sees it.

use crate::error::EngineError;
use patchvm_ir::InputSpec;

/// `Ok` if `value` may be sent to input `input` (named `param`) of node `node`; else the
/// error that names the node, the input, the value and the range.
pub(crate) fn check(
    node: &str,
    param: &str,
    input: &InputSpec,
    value: f32,
) -> Result<(), EngineError> {
    let wide = f64::from(value);
    if wide.is_finite() && (input.min..=input.max).contains(&wide) {
        return Ok(());
    }
    Err(EngineError::OutOfRange {
        node: node.to_owned(),
        param: param.to_owned(),
        value,
        min: input.min,
        max: input.max,
        unit: input.unit.symbol(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use patchvm_modules::catalog;

    fn freq() -> &'static InputSpec {
        let spec = catalog().get("osc.sine").unwrap();
        &spec.inputs[spec.input("freq").unwrap()]
    }

    #[test]
    fn the_ends_of_the_range_pass_and_anything_past_them_is_named() {
        let input = freq();
        assert!(check("osc1", "freq", input, input.min as f32).is_ok());
        assert!(check("osc1", "freq", input, input.max as f32).is_ok());
        let above = (input.max as f32).next_up();
        let error = check("osc1", "freq", input, above).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "cannot set `freq` of node `osc1` to {above} Hz: outside its range {}..={} Hz",
                input.min, input.max
            )
        );
        let below = (input.min as f32).next_down();
        assert!(check("osc1", "freq", input, below).is_err());
    }

    #[test]
    fn values_that_are_not_finite_are_refused() {
        for value in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            let error = check("osc1", "freq", freq(), value).unwrap_err();
            assert!(
                matches!(&error, EngineError::OutOfRange { value: v, .. } if v.to_bits() == value.to_bits()),
                "{error:?}"
            );
            assert!(
                error.to_string().contains(&format!("to {value}")),
                "{error}"
            );
        }
    }
}
