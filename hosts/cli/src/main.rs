//! The `patchvm` command: render, play, check, disassemble and convert patches, list modules
//! and sound cards.
//!
//! Exit status: 0 on success, 1 when a patch (or its file) is at fault, 2 for usage errors.

mod convert;
mod devices;
mod fade;
mod failure;
mod inspect;
mod limits;
mod modules;
mod output;
mod output_file;
mod play;
mod render;
mod session;
mod song;
mod stats;
mod status;
mod stream;
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
    /// Render a patch to a WAV file, as fast as the CPU allows.
    Render(render::RenderArgs),
    /// Write a patch's note streams to a standard MIDI file, as fast as the CPU allows.
    Stream(stream::StreamArgs),
    /// Play a patch in real time, on a sound card or into a WAV file at real-time pace.
    Play(Box<play::PlayArgs>),
    /// List the sound cards `play` can use.
    Devices,
    /// Validate and compile a patch; print `ok` if it is sound.
    Check(inspect::PatchArgs),
    /// Print a patch's compiled bytecode.
    Disasm(inspect::PatchArgs),
    /// Convert a patch between S-expression, JSON and MessagePack, by file extension.
    Convert(convert::ConvertArgs),
    /// List the modules, or describe one.
    Modules(modules::ModulesArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Render(args) => render::run(&args),
        Command::Stream(args) => stream::run(&args),
        Command::Play(args) => play::run(&args),
        Command::Devices => devices::run(),
        Command::Check(args) => inspect::check(&args),
        Command::Disasm(args) => inspect::disasm(&args),
        Command::Convert(args) => convert::run(&args),
        Command::Modules(args) => modules::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}
