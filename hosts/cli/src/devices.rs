//! `patchvm devices`: the sound cards `play` can use.

use crate::failure::Failure;

/// What `devices` and `play` say when this build has no sound-card support.
#[cfg(not(feature = "cpal"))]
pub const NO_SOUND_CARDS: &str = "this patchvm was built without sound-card support; \
     rebuild it with `cargo build --release -p patchvm-cli --features cpal` (on Linux that \
     needs the ALSA headers: `apt-get install libasound2-dev pkg-config`), or play into a \
     file at real-time pace with `patchvm play PATCH --to OUT.wav`";

/// Lists the output and input devices of the default audio host.
#[cfg(feature = "cpal")]
pub fn run() -> Result<(), Failure> {
    let list =
        patchvm::soundcard::list_devices().map_err(|error| Failure::File(error.to_string()))?;
    let mut text = format!("audio host: {}\n", list.host);
    if list.devices.is_empty() {
        text.push_str("no devices\n");
    }
    for device in &list.devices {
        let mark = |default: bool| if default { " (default)" } else { "" };
        text.push_str(&format!("{}  ({})\n", device.id, device.name));
        if let Some(output) = &device.output {
            text.push_str(&format!(
                "  output{}: {output}\n",
                mark(device.default_output)
            ));
        }
        if let Some(input) = &device.input {
            text.push_str(&format!("  input{}: {input}\n", mark(device.default_input)));
        }
        if device.output.is_none() && device.input.is_none() {
            text.push_str("  cannot be opened now\n");
        }
    }
    crate::output::print(&text)
}

/// Says that this build has no sound-card support.
#[cfg(not(feature = "cpal"))]
pub fn run() -> Result<(), Failure> {
    Err(Failure::Usage(NO_SOUND_CARDS.into()))
}
