//! `spec/patchvm.h` is what cbindgen makes of this crate now. Rewrite it with
//! `UPDATE_GOLDEN=1 cargo test -p patchvm-capi --test header`.

use std::path::Path;

#[test]
fn the_checked_in_header_is_up_to_date() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).unwrap();
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(crate_dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen reads the crate");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let generated = String::from_utf8(generated).unwrap();

    let path = crate_dir.join("../../spec/patchvm.h");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing; run with UPDATE_GOLDEN=1", path.display()));
    assert_eq!(
        generated, expected,
        "spec/patchvm.h is stale; run with UPDATE_GOLDEN=1 if the change is right"
    );
    for name in [
        "pvm_engine_new",
        "pvm_engine_free",
        "pvm_engine_load",
        "pvm_engine_process",
        "pvm_engine_set_param",
        "pvm_engine_note_on",
        "pvm_engine_note_off",
        "pvm_engine_last_error",
        "pvm_engine_metrics_json",
        "pvm_version",
        "pvm_engine_set_tempo",
        "pvm_engine_set_tempo_segments",
        "pvm_timeline_play",
        "pvm_timeline_stop",
        "pvm_timeline_seek",
        "pvm_audio_file_load",
        "pvm_clip_add",
        "pvm_clip_update",
        "pvm_clip_remove",
        "pvm_routing_set",
        "pvm_routing_update",
        "pvm_engine_set_param_at",
        "pvm_engine_midi",
        "pvm_engine_state_json",
        "PVM_ERR_NOT_FOUND = -15,",
        "typedef struct PvmEngine PvmEngine",
        "PVM_ERR_NULL = -1,",
    ] {
        assert!(generated.contains(name), "the header lacks `{name}`");
    }
}
