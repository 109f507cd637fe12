//! File watching: every save of a patch file, or of an audio file it plays, reloads it into a
//! playing engine.
//!
//! [`FileWatch::spawn`] watches the file's directory (not the file: editors that save by
//! writing a new file and renaming it over the old one replace the file a watch on it would
//! follow), keeps the events that name the file, and once they have been quiet for the
//! debounce time reads it, parses it, decodes the audio files it names (into the controller's
//! cache, through an [`AudioLoader`](patchvm_engine::AudioLoader)), and loads it into the
//! shared [`Controller`]. The lock is taken only to load the parsed patch, never while a file
//! is read. A broken save
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

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use patchvm_engine::source::{LoadError, SourceFile};
use patchvm_engine::{Controller, EngineError, StoppableThread, SwapReport};
use patchvm_ir::{Diagnostics, Limits};
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How a file is watched.
#[derive(Clone, Debug, PartialEq)]
pub struct WatchSettings {
    /// The limits patches are read with.
    pub limits: Limits,
    /// How long the file's events must be quiet before it is read: one save is often several
    /// events (truncate, write, close; or write a copy, rename it over).
    pub debounce: Duration,
}

impl Default for WatchSettings {
    fn default() -> WatchSettings {
        WatchSettings {
            limits: Limits::default(),
            debounce: Duration::from_millis(30),
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
    /// The file is not a valid patch; the last good one keeps playing.
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
            path: path.to_path_buf(),
            name,
            watcher: Arc::clone(&watcher),
            folders: vec![dir.clone()],
            audio: Vec::new(),
            audio_changed: false,
            controller,
            settings,
            last_read: loaded.to_vec(),
            events: sender,
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
    watcher: SharedWatcher,
    /// The folders watched: the patch's, then those of its audio files.
    folders: Vec<PathBuf>,
    /// The audio files the patch playing reads, as resolved.
    audio: Vec<PathBuf>,
    /// Whether one of them changed since the last reload.
    audio_changed: bool,
    controller: Arc<Mutex<Controller>>,
    settings: WatchSettings,
    /// The bytes last read, valid or not: a save that does not change them does nothing.
    last_read: Vec<u8>,
    events: Sender<WatchEvent>,
}

impl Reloader {
    /// Reloads after every quiet burst of events naming the file, until the watcher (the
    /// sender of `raw`) is dropped.
    fn run(mut self, raw: &Receiver<notify::Result<Event>>) {
        // A save between the caller's load and the watch starting would go unseen otherwise.
        self.reload(Instant::now());
        self.watch_audio();
        loop {
            match raw.recv() {
                Ok(event) if self.concerns(&event) => {}
                Ok(_) => continue,
                Err(_) => return,
            }
            let saved = Instant::now();
            if !self.wait_until_quiet(raw) {
                return;
            }
            self.reload(saved);
            self.watch_audio();
        }
    }

    /// Watches the folders of the audio files the patch playing reads (and no longer those
    /// of files it stopped reading).
    fn watch_audio(&mut self) {
        let playing = self.lock().audio_paths().to_vec();
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

    /// Swallows events until those naming the file have been quiet for the debounce time.
    /// Returns `false` if the watcher went away meanwhile.
    fn wait_until_quiet(&mut self, raw: &Receiver<notify::Result<Event>>) -> bool {
        let mut quiet_at = Instant::now() + self.settings.debounce;
        loop {
            let left = quiet_at.saturating_duration_since(Instant::now());
            match raw.recv_timeout(left) {
                Ok(event) if self.concerns(&event) => {
                    quiet_at = Instant::now() + self.settings.debounce;
                }
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => return true,
                Err(RecvTimeoutError::Disconnected) => return false,
            }
        }
    }

    /// Whether `event` may have changed the file or one of its audio files (noted in
    /// `audio_changed`): it names one and is not a mere read (the watch's own reads show up
    /// as opens and closes).
    fn concerns(&mut self, event: &notify::Result<Event>) -> bool {
        let event = match event {
            Ok(event) => event,
            Err(error) => {
                let _ = self.events.send(WatchEvent::WatchFailed(error.to_string()));
                return false;
            }
        };
        let read_only = match event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => false,
            EventKind::Access(_) => true,
            _ => false,
        };
        if read_only {
            return false;
        }
        let audio = event.paths.iter().any(|path| {
            self.audio
                .iter()
                .any(|audio| audio.file_name() == path.file_name() && folder(audio) == folder(path))
        });
        self.audio_changed |= audio;
        audio
            || event
                .paths
                .iter()
                .any(|path| path.file_name() == Some(self.name.as_os_str()))
    }

    /// Reads, parses and loads the file if it or one of its audio files changed since it was
    /// last read.
    fn reload(&mut self, saved: Instant) {
        let audio_changed = std::mem::take(&mut self.audio_changed);
        let event = match SourceFile::read(&self.path, &self.settings.limits) {
            Err(error) => Some(WatchEvent::Unreadable(error)),
            Ok(source) if source.bytes == self.last_read && !audio_changed => None,
            Ok(source) => {
                self.last_read.clone_from(&source.bytes);
                Some(self.load(source, saved))
            }
        };
        if let Some(event) = event {
            // The receiver goes only when the watch is being stopped.
            let _ = self.events.send(event);
        }
    }

    /// The controller, for a moment: no file is read while it is held.
    fn lock(&self) -> MutexGuard<'_, Controller> {
        lock(&self.controller)
    }

    fn load(&self, source: SourceFile, saved: Instant) -> WatchEvent {
        let patch = match source.parse(&self.settings.limits) {
            Ok(patch) => patch,
            Err(diagnostics) => {
                return WatchEvent::Invalid {
                    source: Box::new(source),
                    diagnostics,
                };
            }
        };
        let started = Instant::now();
        // The patch's audio files are read and decoded before the controller's lock is
        // taken to load it: the lock then only sees them in the cache.
        let loader = self.lock().audio_loader();
        let held = loader.load(&patch);
        let loaded = self.lock().load_patch(patch);
        drop(held);
        match loaded {
            Ok(report) => WatchEvent::Reloaded {
                report,
                saved,
                load: started.elapsed(),
            },
            Err(EngineError::Invalid(diagnostics)) => WatchEvent::Invalid {
                source: Box::new(source),
                diagnostics,
            },
            Err(error) => WatchEvent::Refused(error),
        }
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
