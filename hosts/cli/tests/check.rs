//! `patchvm check`: warnings rendered like errors, never failing the check; `--listen`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn patchvm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_patchvm"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .output()
        .expect("the binary runs")
}

fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("patchvm-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_example_patches_check_without_warnings_but_one() {
    for patch in [
        "drum-kit.lisp",
        "four-bars.lisp",
        "stereo-noise.lisp",
        "subtractive.lisp",
        "through.lisp",
        "toy.lisp",
        "toy.json",
    ] {
        let output = patchvm(&["check", "--listen", &format!("patches/{patch}")]);
        assert!(output.status.success(), "{patch}: {}", text(&output.stderr));
        assert_eq!(text(&output.stdout), "ok\n", "{patch}");
        assert_eq!(text(&output.stderr), "", "{patch}");
    }
    // The poly-synth's comment expects `cutoff = 600 + 2500 * envelope`; the 600 is ignored.
    let output = patchvm(&["check", "patches/poly-synth.lisp"]);
    assert!(output.status.success());
    let shown = text(&output.stderr);
    assert!(
        shown.starts_with(
            "[W0102] Warning: the value on `lp.cutoff` is ignored: a connection drives it\n    \
             ,-[ patches/poly-synth.lisp:20:43 ]"
        ),
        "{shown}"
    );
    assert_eq!(shown.matches("Warning").count(), 1, "{shown}");
}

#[test]
fn each_warning_is_shown_at_its_place_and_the_check_passes() {
    let path = scratch(
        "warned.lisp",
        "(patch\n  (nodes\n    (osc (type \"osc.sine\") (freq 750))\n    (amp (type \"gain\") (amp 2))\n    \
         (lfo (type \"osc.sine\") (freq 3))\n    (out (type \"output\")))\n  (connections\n    \
         (osc \"out\" -> amp \"in\")\n    (amp \"out\" -> out \"in\")\n    (osc \"out\" -> amp \"in\")))\n",
    );
    let output = patchvm(&["check", "--listen", path.to_str().unwrap()]);
    assert!(output.status.success());
    assert_eq!(text(&output.stdout), "ok\n");
    let shown = text(&output.stderr);
    let place = |line_column: &str| format!("{}:{line_column} ]", path.display());
    let headers: Vec<&str> = shown
        .lines()
        .map(str::trim_start)
        .filter(|line| line.starts_with('[') || line.starts_with(",-["))
        .collect();
    assert_eq!(
        headers,
        [
            "[W0101] Warning: node `lfo` reaches no output: its signal is never heard",
            &format!(",-[ {}", place("5:6")),
            "[W0103] Warning: `osc.out` is connected to `amp.in` twice",
            &format!(",-[ {}", place("10:5")),
            // The duplicate sums the sine into `amp` twice: 2·2 = 4, 20·log10(4) = +12.0 dBFS,
            // first at a quarter of 750 Hz's period of 64 samples.
            "[W0104] Warning: the output peaks at +12.0 dBFS (sample 16), above 0 dBFS, in its first second",
            &format!(",-[ {}", place("6:6")),
        ],
        "{shown}"
    );
}
