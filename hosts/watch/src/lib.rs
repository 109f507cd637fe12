//! File watching: every save of a patch file, of a sub-patch file it uses or of an audio file
//! it plays, reloads it into a playing engine.
//!
//! [`FileWatch::spawn`] watches the file's directory (not the file: editors that save by
//! writing a new file and renaming it over the old one replace the file a watch on it would
//! follow), keeps the events that name the file or its audio files, and reads it, parses it,
//! decodes the audio files it names (into the controller's cache, through an
//! [`AudioLoader`](patchvm_engine::AudioLoader)), and loads it into the shared [`Controller`]:
//! at once when an event says the save is complete (the writer closed the file, or a copy was
//! renamed over it), else once the events have been quiet for the debounce time. The lock is
//! taken only to load the parsed patch, never while a file is read. A broken save
//! changes nothing: the last good patch keeps playing. What happened comes back as
//! [`WatchEvent`]s for the host to show — this crate prints nothing.
//!
//! ```
//! use patchvm_engine::{Engine, EngineSettings};
//! use patchvm_engine::ir::Limits;
//! use patchvm_watch::{FileWatch, WatchEvent, WatchSettings};
//! use std::sync::{Arc, Mutex};
//! use std::time::{Duration, Instant};
//!
//! let dir = std::env::temp_dir().join(format!("patchvm-watch-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let path = dir.join("live.lisp");
//! let patch = |freq: u32| format!(r#"(patch (nodes (osc1 (type "osc.sine") (freq {freq}))
//!     (out (type "output"))) (connections (osc1 "out" -> out "in")))"#);
//! std::fs::write(&path, patch(440))?;
//!
//! let (mut controller, mut audio) = Engine::new(EngineSettings::default(), Limits::default());
//! let loaded = std::fs::read(&path)?;
//! controller.load_file(&path)?;
//! let controller = Arc::new(Mutex::new(controller));
//! let shared = Arc::clone(&controller);
//! let watch = FileWatch::spawn(&path, &loaded, shared, WatchSettings::default())?;
//!
//! std::fs::write(&path, patch(660))?; // a save
//! let deadline = Instant::now() + Duration::from_secs(10);
//! let report = loop {
//!     audio.process(&mut [0.0; 128]); // the audio thread, in real code
//!     // A save read half-written (a busy machine can pause the writer past the debounce)
//!     // fails, keeping the last good patch; the rest of the save reloads it.
//!     if let Some(WatchEvent::Reloaded { report, .. }) = watch.try_next() {
//!         break report;
//!     }
//!     assert!(Instant::now() < deadline, "no reload");
//!     std::thread::sleep(Duration::from_millis(5));
//! };
//! assert_eq!(report.kept, ["osc1"]);
//! watch.stop();
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use notify::{Event, RecommendedWatcher, RecursiveMode, Watcher};
use patchvm_engine::source::{LoadError, SourceFile};
use patchvm_engine::warnings::warnings;
use patchvm_engine::{Controller, EngineError, StoppableThread, SwapReport};
use patchvm_ir::{Code, Diagnostics, Limits};
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

mod settle;

use settle::Settle;

/// How a file is watched.
#[derive(Clone, Debug, PartialEq)]
pub struct WatchSettings {
    /// The limits patches are read with.
    pub limits: Limits,
    /// How long the file's events must be quiet before it is read, when none of them says
    /// the save is complete: one save is often several events (truncate, write, close; or
    /// write a copy, rename it over). A writer closing the file, or a copy renamed over it,
    /// reloads at once.
    pub debounce: Duration,
    /// How long a parse failure at the end of the file waits for another write before it is
    /// reported (100 ms by default: an editor that writes a file in pieces is done well
    /// within it).
    pub settle: Duration,
}

impl Default for WatchSettings {
    fn default() -> WatchSettings {
        WatchSettings {
            limits: Limits::default(),
            debounce: Duration::from_millis(30),
            settle: Duration::from_millis(100),
        }
    }
}

/// What a save led to.
#[derive(Debug)]
pub enum WatchEvent {
    /// The file's patch is playing now (taken at the audio half's next block).
    Reloaded {
        /// What the swap kept, added and removed.
        report: SwapReport,
        /// When the first event of the save arrived.
        saved: Instant,
        /// How long the controller took to compile, build and publish it.
        load: Duration,
    },
    /// The patch just reloaded plays, but has warnings (see
    /// [`patchvm_engine::warnings`]); sent right after its [`WatchEvent::Reloaded`].
    Warned {
        /// The file as read, for showing the warnings' lines.
        source: Box<SourceFile>,
        /// What it warns of, with spans into `source`.
        warnings: Diagnostics,
    },
    /// The file is not a valid patch; the last good one keeps playing. A syntax error at the
    /// end of the file (a save read half-written) is held until the writes settle: another
    /// event naming the file reads it again, and only [`WatchSettings::settle`] without one
    /// reports it.
    Invalid {
        /// The file as read, for showing the diagnostics' lines.
        source: Box<SourceFile>,
        /// What is wrong, with spans into `source`.
        diagnostics: Diagnostics,
    },
    /// The file could not be read (deleted, or half-way through a rename); the last good
    /// patch keeps playing and the watch goes on.
    Unreadable(LoadError),
    /// The engine refused the patch for another reason (its audio half has stopped).
    Refused(EngineError),
    /// The operating system's watch reported an error.
    WatchFailed(String),
}

/// Why a file could not be watched.
#[derive(Debug)]
pub struct WatchError {
    /// The directory that was to be watched.
    pub dir: PathBuf,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for WatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot watch `{}`: {}", self.dir.display(), self.message)
    }
}

impl std::error::Error for WatchError {}

/// The watcher, shared with the thread, which adds the folders of the patch's audio files.
type SharedWatcher = Arc<Mutex<Option<RecommendedWatcher>>>;

/// A running watch: a thread that reloads the file on every save, and on every change of an
/// audio file the patch playing reads. Stops when dropped.
#[derive(Debug)]
pub struct FileWatch {
    /// Taking it out ends the thread: its events' sender goes with it. Taken before the
    /// thread is joined.
    watcher: SharedWatcher,
    thread: StoppableThread,
    events: Receiver<WatchEvent>,
}

impl FileWatch {
    /// Watches `path` and loads every valid save of it into `controller`, which plays the
    /// file's content `loaded`: should the file differ from it already (a save since it was
    /// read), the watch reloads it at once.
    pub fn spawn(
        path: &Path,
        loaded: &[u8],
        controller: Arc<Mutex<Controller>>,
        settings: WatchSettings,
    ) -> Result<FileWatch, WatchError> {
        let dir = folder(path);
        let failed = |message: String| WatchError {
            dir: dir.clone(),
            message,
        };
        let name = path
            .file_name()
            .ok_or_else(|| failed(format!("`{}` names no file", path.display())))?
            .to_os_string();
        let (raw_sender, raw) = channel();
        let mut watcher =
            notify::recommended_watcher(raw_sender).map_err(|error| failed(error.to_string()))?;
        watcher
            .watch(&dir, RecursiveMode::NonRecursive)
            .map_err(|error| failed(error.to_string()))?;
        let (sender, events) = channel();
        let watcher = Arc::new(Mutex::new(Some(watcher)));
        let reloader = Reloader {
            watcher: Arc::clone(&watcher),
            folders: vec![dir.clone()],
            audio: Vec::new(),
            subpatches: Vec::new(),
            audio_changed: false,
            path: path.to_path_buf(),
            name,
            controller,
            settings,
            last_read: loaded.to_vec(),
            events: sender,
            held: None,
        };
        // The thread ends when the watcher goes, with the sender of `raw`: its flag is
        // never needed, as no wait of the thread's is on anything else.
        let thread = StoppableThread::spawn("patchvm-watch", move |_| reloader.run(&raw))
            .map_err(|error| failed(format!("cannot start the watch thread: {error}")))?;
        Ok(FileWatch {
            watcher,
            thread,
            events,
        })
    }

    /// The next thing a save led to, if any is waiting.
    pub fn try_next(&self) -> Option<WatchEvent> {
        self.events.try_recv().ok()
    }

    /// Stops watching and waits for a reload under way to finish.
    pub fn stop(mut self) {
        self.end();
    }

    fn end(&mut self) {
        drop(lock(&self.watcher).take());
        let _ = self.thread.join();
    }
}

impl Drop for FileWatch {
    fn drop(&mut self) {
        self.end();
    }
}

/// The watch thread's state.
struct Reloader {
    path: PathBuf,
    /// The file's name: events in its directory that name it concern it.
    name: OsString,
    controller: Arc<Mutex<Controller>>,
    watcher: SharedWatcher,
    /// The folders watched: the patch's, then those of its audio files.
    folders: Vec<PathBuf>,
    /// The audio files the patch playing reads, as resolved, and the sub-patch files its
    /// last read used: a change of one reloads the patch.
    audio: Vec<PathBuf>,
    /// The sub-patch files the file's last read used (those of a broken save too, so that
    /// mending one reloads).
    subpatches: Vec<PathBuf>,
    /// Whether one of them changed since the last reload.
    audio_changed: bool,
    settings: WatchSettings,
    /// The bytes last read, valid or not: a save that does not change them does nothing.
    last_read: Vec<u8>,
    events: Sender<WatchEvent>,
    /// A failure at the end of the file, waiting until this time for the writes to settle.
    held: Option<(WatchEvent, Instant)>,
}

impl Reloader {
    /// Reloads after every save of the file — at once where an event says it is complete,
    /// else once its events have been quiet for the debounce (see [`settle`]) — until the
    /// watcher (the sender of `raw`) is dropped.
    fn run(mut self, raw: &Receiver<notify::Result<Event>>) {
        self.subpatches = self.used_subpatches();
        // A save between the caller's load and the watch starting would go unseen otherwise.
        self.reload(Instant::now());
        self.watch_audio();
        loop {
            let next = match &self.held {
                Some((_, until)) => {
                    raw.recv_timeout(until.saturating_duration_since(Instant::now()))
                }
                None => raw.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            // A held failure stays held until a read of new bytes replaces it.
            let settle = match next {
                Ok(event) => match self.settle(&event) {
                    Some(settle) => settle,
                    None => continue,
                },
                Err(RecvTimeoutError::Timeout) => {
                    if let Some((event, _)) = self.held.take() {
                        let _ = self.events.send(event);
                    }
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return,
            };
            let saved = Instant::now();
            if settle == Settle::Quiet && !self.wait_until_quiet(raw) {
                return;
            }
            self.reload(saved);
            self.watch_audio();
        }
    }

    /// Watches the folders of the audio files the patch playing reads (and no longer those
    /// of files it stopped reading).
    fn watch_audio(&mut self) {
        let mut playing = self.lock().audio_paths().to_vec();
        playing.extend(self.subpatches.iter().cloned());
        self.audio = playing;
        let mut wanted = vec![self.folders[0].clone()];
        for path in &self.audio {
            let folder = folder(path);
            if !wanted.contains(&folder) {
                wanted.push(folder);
            }
        }
        let mut watcher = lock(&self.watcher);
        let Some(watcher) = watcher.as_mut() else {
            return;
        };
        for gone in self
            .folders
            .iter()
            .filter(|folder| !wanted.contains(folder))
        {
            let _ = watcher.unwatch(gone);
        }
        for new in wanted
            .iter()
            .filter(|folder| !self.folders.contains(folder))
        {
            if let Err(error) = watcher.watch(new, RecursiveMode::NonRecursive) {
                let why = format!("cannot watch `{}`: {error}", new.display());
                let _ = self.events.send(WatchEvent::WatchFailed(why));
            }
        }
        self.folders = wanted;
    }

    /// Swallows events until those naming the file have been quiet for the debounce time, or
    /// one says the save is complete. Returns `false` if the watcher went away meanwhile.
    fn wait_until_quiet(&mut self, raw: &Receiver<notify::Result<Event>>) -> bool {
        let mut quiet_at = Instant::now() + self.settings.debounce;
        loop {
            let left = quiet_at.saturating_duration_since(Instant::now());
            match raw.recv_timeout(left) {
                Ok(event) => match self.settle(&event) {
                    Some(Settle::Now) => return true,
                    Some(Settle::Quiet) => quiet_at = Instant::now() + self.settings.debounce,
                    None => {}
                },
                Err(RecvTimeoutError::Timeout) => return true,
                Err(RecvTimeoutError::Disconnected) => return false,
            }
        }
    }

    /// What `event` calls for ([`settle::settle`]), for the file or one of its audio files
    /// (noted in `audio_changed`); a watch error is reported and calls for nothing.
    fn settle(&mut self, event: &notify::Result<Event>) -> Option<Settle> {
        match event {
            Ok(event) => {
                let audio = self
                    .audio
                    .iter()
                    .filter(|audio| event.paths.iter().any(|path| folder(path) == folder(audio)))
                    .find_map(|audio| settle::settle(event, audio.file_name()?));
                self.audio_changed |= audio.is_some();
                settle::settle(event, &self.name).or(audio)
            }
            Err(error) => {
                let _ = self.events.send(WatchEvent::WatchFailed(error.to_string()));
                None
            }
        }
    }

    /// Reads, parses and loads the file if it or one of its audio files changed since it was
    /// last read.
    fn reload(&mut self, saved: Instant) {
        let audio_changed = std::mem::take(&mut self.audio_changed);
        let events = match SourceFile::read(&self.path, &self.settings.limits) {
            Err(error) => vec![WatchEvent::Unreadable(error)],
            Ok(source) if source.bytes == self.last_read && !audio_changed => Vec::new(),
            Ok(source) => {
                self.last_read.clone_from(&source.bytes);
                self.held = None;
                self.load(source, saved)
            }
        };
        for event in events {
            if let WatchEvent::Invalid {
                source,
                diagnostics,
            } = &event
                && half_written(source, diagnostics)
            {
                self.held = Some((event, Instant::now() + self.settings.settle));
                continue;
            }
            // The receiver goes only when the watch is being stopped.
            let _ = self.events.send(event);
        }
    }

    /// What loading `source` led to: a reload, followed by its warnings if it has any; or
    /// why the patch does not play.
    fn load(&mut self, mut source: SourceFile, saved: Instant) -> Vec<WatchEvent> {
        let limits = &self.settings.limits;
        let expanded = source
            .parse(limits)
            .and_then(|patch| source.expand(patch, limits));
        self.subpatches = source.subpatch_paths().map(Path::to_path_buf).collect();
        let patch = match expanded {
            Ok(patch) => patch,
            Err(diagnostics) => {
                return vec![WatchEvent::Invalid {
                    source: Box::new(source),
                    diagnostics,
                }];
            }
        };
        let found = warnings(&patch);
        let started = Instant::now();
        // The patch's audio files are read and decoded before the controller's lock is
        // taken to load it: the lock then only sees them in the cache.
        let loader = self.lock().audio_loader();
        let held = loader.load(&patch);
        let loaded = self.lock().load_patch(patch);
        drop(held);
        match loaded {
            Ok(report) => {
                let reloaded = WatchEvent::Reloaded {
                    report,
                    saved,
                    load: started.elapsed(),
                };
                match found.is_empty() {
                    true => vec![reloaded],
                    false => vec![
                        reloaded,
                        WatchEvent::Warned {
                            source: Box::new(source),
                            warnings: found,
                        },
                    ],
                }
            }
            Err(EngineError::Invalid(diagnostics)) => vec![WatchEvent::Invalid {
                source: Box::new(source),
                diagnostics,
            }],
            Err(error) => vec![WatchEvent::Refused(error)],
        }
    }
}

impl Reloader {
    /// The sub-patch files the file uses now, read before the watch's first reload (which
    /// reads nothing when the file is as the caller loaded it).
    fn used_subpatches(&self) -> Vec<PathBuf> {
        let limits = &self.settings.limits;
        let Ok(mut source) = SourceFile::read(&self.path, limits) else {
            return Vec::new();
        };
        if let Ok(patch) = source.parse(limits) {
            let _reported_when_loaded = source.expand(patch, limits);
        }
        source.subpatch_paths().map(Path::to_path_buf).collect()
    }

    /// The controller, for a moment: no file is read while it is held.
    fn lock(&self) -> MutexGuard<'_, Controller> {
        lock(&self.controller)
    }
}

/// `mutex`'s value, even if a thread panicked holding it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The folder `path` is in, as watched: `.` for a bare file name.
fn folder(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether `diagnostics` may only say that `source` was read before its writer finished: a
/// syntax error whose labels reach the end of the text (an unclosed list, string or object,
/// a value cut short), which the rest of the save would mend.
fn half_written(source: &SourceFile, diagnostics: &Diagnostics) -> bool {
    let end = source.bytes.trim_ascii_end().len();
    diagnostics.iter().any(|diagnostic| {
        diagnostic.code == Code::Syntax
            && (diagnostic.message == "unclosed parenthesis"
                || std::iter::once(&diagnostic.primary)
                    .chain(&diagnostic.secondary)
                    .any(|label| label.span.end as usize >= end))
    })
}
