//! The bodies of the fuzz targets in `fuzz/`, as plain functions, so that the committed
//! corpora replay as ordinary tests (`tests/tests/integration/fuzz_corpora.rs`) on the stable
//! toolchain.
//!
//! Each takes arbitrary bytes and must neither panic nor hang; whatever compiles must render
//! finite samples.

use arbitrary::{Result, Unstructured};
use patchvm::ir::{
    Code, Connection, Format, Limits, Name, Node, Param, Patch, PortRef, Span, Value, ValueKind,
};
use patchvm::modules::{KernelInit, build, catalog};
use patchvm::vm::{
    ArgRange, Executable, Instr, Kernel, KernelDecl, KernelIdx, MAX_BLOCK, Program, Reg,
};
use patchvm::{Instance, Settings};

/// Frames each target renders from a patch that compiles.
const FRAMES: usize = 256;

/// Reads `data` as a patch in `format`, and compiles and renders it if it is valid.
pub fn read(format: Format, data: &[u8]) {
    if let Ok(patch) = format.read(data, &Limits::default()) {
        render(&patch);
    }
}

/// Reads `data` as a JSON patch, as [`read`] does, and checks the reader's own JSON walk
/// against serde_json: it calls text a syntax error exactly when serde_json refuses it,
/// unless one of the reader's limits (nesting, string length) stopped it first.
pub fn read_json(data: &[u8]) {
    read(Format::Json, data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ours = match Format::Json.read(data, &Limits::default()) {
        Ok(_) => None,
        Err(problems) if problems.iter().any(|p| p.code == Code::Limit) => return,
        Err(problems) => problems.into_iter().find(|p| p.code == Code::Syntax),
    };
    let serde = serde_json::from_str::<serde_json::Value>(text);
    assert_eq!(
        ours.is_some(),
        serde.is_err(),
        "ours: {ours:?}, serde_json: {serde:?}"
    );
}

/// Builds a patch from `data` — catalog modules, ports and parameters most of the time, names
/// nobody defined some of the time — and compiles and renders it if it is valid.
pub fn compile_arbitrary(data: &[u8]) {
    if let Ok(patch) = arbitrary_patch(&mut Unstructured::new(data)) {
        render(&patch);
    }
}

/// Builds a program and its kernels from `data`, with indices mostly in range and sometimes
/// not; runs it for a few blocks of arbitrary length if the verifier accepts it.
pub fn run_bytecode(data: &[u8]) {
    let mut input = Unstructured::new(data);
    let Ok((program, kernels)) = arbitrary_program(&mut input) else {
        return;
    };
    if let Ok(mut executable) = Executable::new(program, kernels) {
        for channel in 0..executable.input_channels() {
            let level = input.arbitrary::<f32>().unwrap_or(0.0);
            executable.input_mut(channel).fill(level);
        }
        for _ in 0..4 {
            let frames = input.int_in_range(0..=MAX_BLOCK).unwrap_or(MAX_BLOCK);
            executable.run(frames);
            for channel in 0..executable.channels() {
                assert!(executable.output(channel).iter().all(|x| x.is_finite()));
            }
        }
    }
}

/// Imports `data` as an audio file at 48 kHz within a 64 MiB budget, as the engine imports
/// the files a patch names: an error or audio whose channels are all as long and finite.
pub fn import_audio(data: &[u8]) {
    let Ok(audio) = patchvm::audio::import(data.to_vec(), None, 48_000.0, 64 << 20) else {
        return;
    };
    assert!(audio.frames() > 0 && audio.bytes() <= 64 << 20);
    for channel in 0..audio.channels() {
        assert_eq!(audio.channel(channel).len(), audio.frames());
        assert!(audio.channel(channel).iter().all(|x| x.is_finite()));
    }
}

/// Reads `data` as a standard MIDI file and, if it is one, plays its first frames into the
/// example poly-synth with a few voices.
pub fn read_midi(data: &[u8]) {
    let Ok(song) = patchvm::midi::file::read(data, 48_000.0) else {
        return;
    };
    assert!(song.events.windows(2).all(|w| w[0].time <= w[1].time));
    let patch = Format::Sexpr
        .read(POLY_SYNTH.as_bytes(), &Limits::default())
        .expect("the example patch reads");
    let settings = Settings {
        voices: 4,
        ..Settings::default()
    };
    let mut playback = patchvm::midi::Playback::new(patch, &settings, &Limits::default(), song)
        .expect("the example patch compiles");
    let mut samples = [0.0; FRAMES];
    for chunk in samples.chunks_mut(100) {
        patchvm::engine::Frames::render(&mut playback, &[], 0, chunk);
    }
    assert!(samples.iter().all(|x| x.is_finite()));
}

/// The example polyphonic synthesizer, which [`read_midi`] plays songs into.
const POLY_SYNTH: &str = include_str!("../../patches/poly-synth.lisp");

fn render(patch: &Patch) {
    if let Ok(mut instance) = Instance::new(patch, &Settings::default(), &Limits::default()) {
        let mut samples = vec![0.0; FRAMES * instance.channels()];
        instance.process_interleaved(&mut samples, MAX_BLOCK);
        assert!(samples.iter().all(|x| x.is_finite()));
    }
}

/// Either one of `known` (most of the time) or an arbitrary string.
fn name(input: &mut Unstructured, known: &[&str]) -> Result<Name> {
    let text = if !known.is_empty() && input.ratio(7, 8)? {
        (*input.choose(known)?).to_owned()
    } else {
        input.arbitrary::<String>()?
    };
    Ok(Name::new(text))
}

fn value(input: &mut Unstructured) -> Result<Value> {
    let kind = match input.int_in_range(0..=9u8)? {
        0 => ValueKind::Text(input.arbitrary()?),
        1 => ValueKind::List(vec![Value {
            kind: ValueKind::Number(input.arbitrary()?),
            span: Span::NONE,
            escapes: Vec::new(),
        }]),
        _ => ValueKind::Number(input.arbitrary()?),
    };
    Ok(Value {
        kind,
        span: Span::NONE,
        escapes: Vec::new(),
    })
}

fn arbitrary_patch(input: &mut Unstructured) -> Result<Patch> {
    let modules: Vec<&str> = catalog().names().collect();
    let mut patch = Patch::default();
    let node_count = input.int_in_range(0..=12usize)?;
    for index in 0..node_count {
        let module = name(input, &modules)?;
        let spec = catalog().get(&module.text);
        let inputs: Vec<&str> =
            spec.map_or(Vec::new(), |s| s.inputs.iter().map(|i| i.name).collect());
        let mut params = Vec::new();
        for _ in 0..input.int_in_range(0..=4usize)? {
            params.push(Param {
                name: name(input, &inputs)?,
                value: value(input)?,
            });
        }
        let id = if input.ratio(15, 16)? {
            format!("n{index}")
        } else {
            input.arbitrary()?
        };
        patch.nodes.push(Node {
            id: Name::new(id),
            module,
            params,
            span: Span::NONE,
        });
    }
    let ids: Vec<String> = patch.nodes.iter().map(|n| n.id.text.clone()).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    for _ in 0..input.int_in_range(0..=24usize)? {
        let from = name(input, &ids)?;
        let to = name(input, &ids)?;
        let ports = |id: &Name, outputs: bool| -> Vec<&'static str> {
            patch
                .node(&id.text)
                .and_then(|node| catalog().get(&node.module.text))
                .map_or(Vec::new(), |spec| {
                    if outputs {
                        spec.outputs.iter().map(|o| o.name).collect()
                    } else {
                        spec.inputs.iter().map(|i| i.name).collect()
                    }
                })
        };
        let from_port = name(input, &ports(&from, true))?;
        let to_port = name(input, &ports(&to, false))?;
        patch.connections.push(Connection {
            from: PortRef {
                node: from,
                port: from_port,
            },
            to: PortRef {
                node: to,
                port: to_port,
            },
            span: Span::NONE,
        });
    }
    Ok(patch)
}

/// A register index: usually below `registers`, sometimes anywhere.
fn register(input: &mut Unstructured, registers: u16) -> Result<Reg> {
    if input.ratio(31, 32)? && registers > 0 {
        Ok(Reg(input.int_in_range(0..=registers - 1)?))
    } else {
        Ok(Reg(input.arbitrary()?))
    }
}

fn arbitrary_program(input: &mut Unstructured) -> Result<(Program, Vec<Box<dyn Kernel>>)> {
    let kernel_specs: Vec<_> = catalog()
        .modules()
        .iter()
        .filter(|m| build_default(m).is_some())
        .collect();
    let mut kernels: Vec<Box<dyn Kernel>> = Vec::new();
    let mut decls = Vec::new();
    for _ in 0..input.int_in_range(0..=4usize)? {
        let spec = *input.choose(&kernel_specs)?;
        let kernel = build_default(spec).expect("filtered above");
        let mut shape = kernel.shape();
        if input.ratio(1, 16)? {
            shape.inputs = input.arbitrary()?;
        }
        decls.push(KernelDecl {
            name: spec.name.into(),
            shape,
        });
        kernels.push(kernel);
    }
    let registers: u16 = input.int_in_range(0..=12)?;
    let params: Vec<f32> = (0..input.int_in_range(0..=3usize)?)
        .map(|_| input.arbitrary())
        .collect::<Result<_>>()?;
    let mut args = Vec::new();
    let mut instrs = Vec::new();
    for _ in 0..input.int_in_range(0..=24usize)? {
        let instr = match input.int_in_range(0..=4u8)? {
            0 => Instr::LoadConst {
                dst: register(input, registers)?,
                value: input.arbitrary()?,
            },
            1 => Instr::Add {
                dst: register(input, registers)?,
                lhs: register(input, registers)?,
                rhs: register(input, registers)?,
            },
            2 if !decls.is_empty() => {
                let kernel = input.int_in_range(0..=decls.len() - 1)?;
                let shape = decls[kernel].shape;
                let start = args.len() as u32;
                for _ in 0..(usize::from(shape.inputs) + usize::from(shape.outputs)).min(32) {
                    args.push(register(input, registers)?);
                }
                let start = if input.ratio(1, 32)? {
                    input.arbitrary()?
                } else {
                    start
                };
                Instr::CallOp {
                    kernel: KernelIdx(kernel as u16),
                    args: ArgRange {
                        start,
                        inputs: shape.inputs,
                        outputs: shape.outputs,
                    },
                }
            }
            3 if input.ratio(1, 2)? && !decls.is_empty() => {
                let kernel = input.int_in_range(0..=decls.len() - 1)?;
                let lanes: u8 = input.int_in_range(0..=9)?;
                let shape = decls[kernel].shape;
                let start = args.len() as u32;
                let count =
                    usize::from(lanes) * (usize::from(shape.inputs) + usize::from(shape.outputs));
                for _ in 0..count.min(64) {
                    args.push(register(input, registers)?);
                }
                Instr::CallLanes {
                    kernel: KernelIdx(kernel as u16),
                    lanes,
                    args: ArgRange {
                        start,
                        inputs: shape.inputs,
                        outputs: shape.outputs,
                    },
                }
            }
            3 => Instr::Feed {
                kernel: KernelIdx(input.int_in_range(0..=4)?),
                src: register(input, registers)?,
            },
            4 if input.ratio(1, 4)? => Instr::ReadInput {
                dst: register(input, registers)?,
                channel: input.int_in_range(0..=3)?,
            },
            _ => Instr::WriteOutput {
                channel: input.int_in_range(0..=2)?,
                src: register(input, registers)?,
            },
        };
        instrs.push(instr);
    }
    let channels = input.int_in_range(0..=3)?;
    let inputs = input.int_in_range(0..=3)?;
    let param_regs = (0..params.len() + usize::from(input.ratio(1, 32)?))
        .map(|_| register(input, registers))
        .collect::<Result<_>>()?;
    Ok((
        Program {
            instrs,
            args,
            registers,
            kernels: decls,
            channels,
            inputs,
            params,
            param_regs,
            ..Program::default()
        },
        kernels,
    ))
}

fn build_default(spec: &patchvm::ir::ModuleSpec) -> Option<Box<dyn Kernel>> {
    let defaults: Vec<f64> = spec.inputs.iter().map(|input| input.default).collect();
    build(spec, &KernelInit::new(&defaults, 48_000.0))
}

/// Drives a live engine with a sequence of operations read from `data`: loads of arbitrary
/// patches, edits (valid or not), undo, redo, parameter events at arbitrary times and
/// values, notes, and process calls of arbitrary lengths. Nothing may panic, and the
/// output must stay finite.
pub fn engine_edits(data: &[u8]) {
    use patchvm::engine::{At, Engine, EngineSettings};
    use patchvm::ir::Edit;
    let mut input = Unstructured::new(data);
    let settings = EngineSettings {
        event_capacity: 64,
        swap_capacity: 4,
        ..EngineSettings::default()
    };
    let (mut controller, mut audio) = Engine::new(settings, Limits::default());
    let mut buffer = vec![0.0_f32; 2 * 300];
    let names = |patch: Option<&Patch>| -> Vec<String> {
        patch.map_or(Vec::new(), |p| {
            p.nodes.iter().map(|n| n.id.text.clone()).collect()
        })
    };
    for _ in 0..64 {
        let Ok(op) = input.int_in_range(0..=8u8) else {
            break;
        };
        let ids = names(controller.patch());
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let modules: Vec<&str> = catalog().names().collect();
        let ports: Vec<&str> = catalog()
            .modules()
            .iter()
            .flat_map(|m| m.port_names())
            .collect();
        let step = (|| -> Result<()> {
            match op {
                0 => {
                    let _ = controller.load_patch(arbitrary_patch(&mut input)?);
                }
                1 => {
                    let edit = Edit::AddNode {
                        id: name(&mut input, &ids)?.text,
                        module: name(&mut input, &modules)?.text,
                        params: vec![(name(&mut input, &ports)?.text, input.arbitrary()?)],
                    };
                    let _ = controller.apply(&edit);
                }
                2 => {
                    let _ = controller.apply(&Edit::RemoveNode {
                        id: name(&mut input, &ids)?.text,
                    });
                }
                3 | 4 => {
                    let from = (name(&mut input, &ids)?.text, name(&mut input, &ports)?.text);
                    let to = (name(&mut input, &ids)?.text, name(&mut input, &ports)?.text);
                    let edit = if op == 3 {
                        Edit::Connect { from, to }
                    } else {
                        Edit::Disconnect { from, to }
                    };
                    let _ = controller.apply(&edit);
                }
                5 => {
                    let _ = if input.arbitrary()? {
                        controller.undo()
                    } else {
                        controller.redo()
                    };
                }
                6 => {
                    let node = name(&mut input, &ids)?.text;
                    let port = name(&mut input, &ports)?.text;
                    let at = match input.arbitrary::<Option<u16>>()? {
                        None => At::Now,
                        Some(offset) => At::Sample(controller.time() + u64::from(offset)),
                    };
                    let value: f32 = input.arbitrary()?;
                    let _ = if input.arbitrary()? {
                        controller.set_param(&node, &port, value, at)
                    } else {
                        controller.ramp_param(&node, &port, value, input.arbitrary()?, at)
                    };
                }
                7 => {
                    let _ = if input.arbitrary()? {
                        controller.note_on(input.arbitrary()?, input.arbitrary()?, At::Now)
                    } else {
                        let len = input.int_in_range(0..=4usize)?;
                        let message = input.bytes(len)?;
                        controller.midi(message, At::Now)
                    };
                }
                _ => {
                    let frames = input.int_in_range(0..=300usize)?;
                    audio.process(&mut buffer[..2 * frames]);
                    assert!(buffer[..2 * frames].iter().all(|x| x.is_finite()));
                }
            }
            Ok(())
        })();
        if step.is_err() {
            break;
        }
    }
    audio.process(&mut buffer);
    assert!(buffer.iter().all(|x| x.is_finite()));
    controller.maintain();
}

/// Hands `data` to the OSC server's datagram handling — the guard, rosc's decoder, the
/// commands and the engine behind them — as one datagram sent to an engine playing a small
/// patch with notes bound, then renders a little. Nothing may panic or overflow the stack;
/// every reply must encode, decode and encode again to the same bytes, and the output must
/// stay finite.
pub fn osc_datagram(data: &[u8]) {
    use patchvm::engine::{Engine, EngineSettings, NoteBinding};
    use patchvm::osc::Dispatcher;
    use rosc::{OscPacket, decoder, encoder};
    use std::sync::Mutex;
    let settings = EngineSettings {
        event_capacity: 64,
        swap_capacity: 4,
        ..EngineSettings::default()
    };
    let (mut controller, mut audio) = Engine::new(settings, Limits::default());
    let toy = r#"(patch (nodes (osc1 (type "osc.sine") (freq 440)) (gain1 (type "gain") (amp 0.5))
                          (out (type "output")))
                   (connections (osc1 "out" -> gain1 "in") (gain1 "out" -> out "in")))"#;
    controller
        .load_text(toy.as_bytes(), Format::Sexpr)
        .expect("the toy patch plays");
    controller.bind_notes(NoteBinding {
        freq: Some(("osc1".into(), "freq".into())),
        gate: Some(("gain1".into(), "amp".into())),
    });
    let dispatcher = Dispatcher::new(&controller);
    let controller = Mutex::new(controller);
    for reply in dispatcher.datagram(data, &controller) {
        let packet = OscPacket::Message(reply);
        let bytes = encoder::encode(&packet).expect("replies encode");
        let (rest, decoded) = decoder::decode_udp(&bytes).expect("replies decode");
        assert!(rest.is_empty());
        // Compared as bytes: an echoed NaN is not equal to itself.
        assert_eq!(encoder::encode(&decoded).expect("replies re-encode"), bytes);
    }
    let stats = dispatcher.stats();
    assert_eq!(
        stats.messages,
        stats.applied + stats.unknown_address + stats.wrong_arguments + stats.failed
    );
    let mut buffer = vec![0.0_f32; 2 * FRAMES];
    audio.process(&mut buffer);
    assert!(buffer.iter().all(|x| x.is_finite()));
    controller
        .into_inner()
        .expect("nothing panicked holding the lock")
        .maintain();
}
