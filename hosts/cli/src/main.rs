//! The `patchvm` command: render, play, check, disassemble and convert patches, list modules
//! and sound cards.
//!
//! Exit status: 0 on success, 1 when a patch (or its file) is at fault, 2 for usage errors.

mod check;
mod convert;
mod devices;
mod fade;
mod failure;
mod first_good_save;
mod inspect;
mod limits;
mod modules;
mod new;
mod output;
mod output_file;
mod output_limit;
mod play;
mod record;
mod reload_report;
mod render;
mod render_limit;
mod save_on_exit;
mod session;
mod song;
mod start_preset;
mod stats;
mod status;
mod stream;
mod tail_max;
mod tap;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Audio patches on a bytecode virtual machine.
#[derive(Debug, Parser)]
#[command(name = "patchvm", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write a starting patch (a synth, a beat or an effect) to a new file.
    #[command(
        after_help = "Examples:\n  patchvm new beat groove.lisp\n  patchvm play --watch groove.lisp"
    )]
    New(new::NewArgs),
    /// Render a patch to a WAV file, as fast as the CPU allows.
    #[command(
        after_help = "Example:\n  patchvm render patches/subtractive.lisp -o out.wav --seconds 4"
    )]
    Render(render::RenderArgs),
    /// Write a patch's note streams to a standard MIDI file, as fast as the CPU allows.
    #[command(
        after_help = "Example:\n  patchvm stream patches/four-bars.lisp -o four-bars.mid --bars 4"
    )]
    Stream(stream::StreamArgs),
    /// Play a patch in real time, on a sound card or into a WAV file at real-time pace.
    #[command(
        after_help = "Examples:\n  patchvm play --watch patches/subtractive.lisp\n  patchvm play patches/four-bars.lisp --to live.wav --seconds 8"
    )]
    Play(Box<play::PlayArgs>),
    /// List the sound cards `play` can use.
    #[command(after_help = "Example:\n  patchvm devices")]
    Devices,
    /// Validate and compile a patch; print its warnings, and `ok` if it is sound.
    #[command(
        after_help = "Examples:\n  patchvm check patches/subtractive.lisp\n  patchvm check --listen patches/subtractive.lisp"
    )]
    Check(check::CheckArgs),
    /// Print a patch's compiled bytecode.
    #[command(after_help = "Example:\n  patchvm disasm patches/toy.lisp")]
    Disasm(inspect::PatchArgs),
    /// Convert a patch between S-expression, JSON and MessagePack, by file extension.
    #[command(after_help = "Example:\n  patchvm convert patches/toy.lisp -o toy.json")]
    Convert(convert::ConvertArgs),
    /// List the modules, those whose names start with or contain a text, or describe one.
    #[command(
        after_help = "Examples:\n  patchvm modules drum\n  patchvm modules filter.lowpass --json"
    )]
    Modules(modules::ModulesArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::New(args) => new::run(&args),
        Command::Render(args) => render::run(&args),
        Command::Stream(args) => stream::run(&args),
        Command::Play(args) => play::run(&args),
        Command::Devices => devices::run(),
        Command::Check(args) => check::run(&args),
        Command::Disasm(args) => inspect::disasm(&args),
        Command::Convert(args) => convert::run(&args),
        Command::Modules(args) => modules::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}
