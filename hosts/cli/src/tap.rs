//! Tap tempo from the terminal: in `play`, each line typed (Enter alone will do) is a tap.
//!
//! Line input needs no raw mode, so Ctrl-C keeps working as a signal and the terminal is
//! never left changed, whatever way the session ends. A blocking read of stdin cannot be
//! interrupted, so the reading thread is not joined: it ends with the process.

use patchvm::Controller;
use patchvm::engine::At;
use std::io::BufRead;
use std::sync::{Arc, Mutex, PoisonError};

/// Starts reading taps from stdin, one per line, until it closes.
pub fn start(controller: Arc<Mutex<Controller>>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("patchvm-tap".into())
        .spawn(move || {
            for line in std::io::stdin().lock().lines() {
                if line.is_err() {
                    break;
                }
                let tapped = controller
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .tap(At::Now);
                match tapped {
                    Ok(Some(bpm)) => eprintln!("tap: {bpm:.2} BPM from the next beat"),
                    Ok(None) => eprintln!("tap: tap again for the tempo"),
                    Err(error) => eprintln!("tap: {error}"),
                }
            }
        })
        .map(drop)
}
