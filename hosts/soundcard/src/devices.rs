//! The sound cards cpal can see, and finding one by name.

use cpal::traits::{DeviceTrait, HostTrait};
use patchvm_engine::backend::BackendError;

/// One device of the default host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The host's identifier for it (ALSA's PCM name: `default`, `hw:CARD=PCH,DEV=0`).
    pub id: String,
    /// Its name, in words. `--device` and `--input` take the id, the name, or a unique part
    /// of either.
    pub name: String,
    /// Its default output configuration, in words; `None` if it has no output.
    pub output: Option<String>,
    /// Its default input configuration, in words; `None` if it has no input.
    pub input: Option<String>,
    /// Whether it is the host's default output.
    pub default_output: bool,
    /// Whether it is the host's default input.
    pub default_input: bool,
}

/// The devices of the default audio host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceList {
    /// The host's name (ALSA, CoreAudio, WASAPI, …).
    pub host: String,
    /// Its devices, in the host's order.
    pub devices: Vec<DeviceInfo>,
}

/// Lists the devices of the default host with their default configurations.
pub fn list_devices() -> Result<DeviceList, BackendError> {
    let host = cpal::default_host();
    let default_output = host.default_output_device();
    let default_input = host.default_input_device();
    let devices = host
        .devices()
        .map_err(|error| BackendError::NoDevice(format!("cannot list sound cards: {error}")))?
        .map(|device| DeviceInfo {
            id: id_of(&device),
            name: device.to_string(),
            output: device
                .default_output_config()
                .ok()
                .map(|config| describe(&config)),
            input: device
                .default_input_config()
                .ok()
                .map(|config| describe(&config)),
            default_output: default_output.as_ref() == Some(&device),
            default_input: default_input.as_ref() == Some(&device),
        })
        .collect();
    Ok(DeviceList {
        host: host.id().name().to_owned(),
        devices,
    })
}

/// A configuration in words: "2 channels, 48000 Hz, f32, buffers of 64..=8192 frames".
pub(crate) fn describe(config: &cpal::SupportedStreamConfig) -> String {
    let buffers = match config.buffer_size() {
        cpal::SupportedBufferSize::Range { min, max } => {
            format!(", buffers of {min}..={max} frames")
        }
        cpal::SupportedBufferSize::Unknown => String::new(),
    };
    format!(
        "{} channel{}, {} Hz, {}{buffers}",
        config.channels(),
        if config.channels() == 1 { "" } else { "s" },
        config.sample_rate(),
        config.sample_format()
    )
}

/// Which way a device is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Output,
    Input,
}

impl Direction {
    fn word(self) -> &'static str {
        match self {
            Direction::Output => "output",
            Direction::Input => "input",
        }
    }
}

/// The device called `name` (exactly, else the one device whose name contains it, ignoring
/// case), or the host's default when `name` is `None`.
pub(crate) fn find(
    host: &cpal::Host,
    name: Option<&str>,
    direction: Direction,
) -> Result<cpal::Device, BackendError> {
    let word = direction.word();
    let Some(name) = name else {
        let default = match direction {
            Direction::Output => host.default_output_device(),
            Direction::Input => host.default_input_device(),
        };
        return default.ok_or_else(|| {
            BackendError::NoDevice(format!(
                "no sound card {word} found ({} host)",
                host.id().name()
            ))
        });
    };
    let listed = match direction {
        Direction::Output => host.output_devices().map(|d| d.collect::<Vec<_>>()),
        Direction::Input => host.input_devices().map(|d| d.collect::<Vec<_>>()),
    }
    .map_err(|error| BackendError::NoDevice(format!("cannot list sound cards: {error}")))?;
    let labels: Vec<(String, String)> = listed
        .iter()
        .map(|device| (id_of(device), device.to_string()))
        .collect();
    if let Some(index) = pick(&labels, name) {
        return Ok(listed[index].clone());
    }
    // A shorthand the host understands (ALSA's `hw:0,0` for `hw:CARD=…,DEV=0`).
    if let Some(device) = host.device_by_id(&cpal::DeviceId::new(host.id(), name)) {
        return Ok(device);
    }
    let known: Vec<String> = labels.iter().map(|(id, _)| format!("`{id}`")).collect();
    Err(BackendError::NoDevice(format!(
        "no {word} device is called `{name}`; {}",
        match known.is_empty() {
            true => format!("this machine has no {word} device"),
            false => format!("the {word} devices are {}", known.join(", ")),
        }
    )))
}

/// The host's identifier of `device`, or its name if it has none.
fn id_of(device: &cpal::Device) -> String {
    device
        .id()
        .map_or_else(|_| device.to_string(), |id| id.id().to_owned())
}

/// The index of the device called `wanted` among `(id, name)` labels: an exact id, else an
/// exact name, else the only label containing it regardless of case.
fn pick(labels: &[(String, String)], wanted: &str) -> Option<usize> {
    if let Some(exact) = labels.iter().position(|(id, _)| id == wanted) {
        return Some(exact);
    }
    if let Some(exact) = labels.iter().position(|(_, name)| name == wanted) {
        return Some(exact);
    }
    let lower = wanted.to_lowercase();
    let mut containing = labels.iter().enumerate().filter(|(_, (id, name))| {
        id.to_lowercase().contains(&lower) || name.to_lowercase().contains(&lower)
    });
    match (containing.next(), containing.next()) {
        (Some((index, _)), None) => Some(index),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_is_found_by_id_name_or_a_unique_part() {
        let labels: Vec<(String, String)> = [
            ("default", "Default Audio Device"),
            ("hw:CARD=PCH,DEV=0", "HDA Intel PCH, ALC892 Analog"),
            ("hw:CARD=CODEC,DEV=0", "USB Audio CODEC"),
        ]
        .map(|(id, name)| (id.to_owned(), name.to_owned()))
        .to_vec();
        assert_eq!(pick(&labels, "default"), Some(0));
        assert_eq!(pick(&labels, "USB Audio CODEC"), Some(2));
        assert_eq!(pick(&labels, "usb"), Some(2));
        assert_eq!(pick(&labels, "pch"), Some(1));
        // "audio" is in two names: ambiguous.
        assert_eq!(pick(&labels, "audio"), None);
        assert_eq!(pick(&labels, "nothing"), None);
    }
}
