//! A thread the control side starts and stops: its stop flag and its handle in one type,
//! which every adapter's thread (the file watch, the OSC server, the WAV sink's audio
//! and writer threads, the MIDI feeds) is.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

/// A thread whose body reads a stop flag and returns once it is raised. Dropping the handle
/// raises the flag and waits for the thread, so no thread outlives what started it.
#[derive(Debug)]
pub struct StoppableThread<T = ()> {
    stop: Arc<AtomicBool>,
    /// `None` once joined.
    thread: Option<JoinHandle<T>>,
}

impl<T: Send + 'static> StoppableThread<T> {
    /// Runs `body` on a new thread named `name`, with the flag it must watch: it should
    /// return soon after the flag reads `true`.
    pub fn spawn(
        name: &str,
        body: impl FnOnce(&AtomicBool) -> T + Send + 'static,
    ) -> io::Result<StoppableThread<T>> {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::Builder::new().name(name.into()).spawn({
            let stop = Arc::clone(&stop);
            move || body(&stop)
        })?;
        Ok(StoppableThread {
            stop,
            thread: Some(thread),
        })
    }
}

impl<T> StoppableThread<T> {
    /// Raises the stop flag without waiting: for a thread that must then be woken (a socket
    /// read) before [`join`](StoppableThread::join) can return.
    pub fn request_stop(&self) {
        self.stop.store(true, Ordering::Release);
    }

    /// Whether the thread has ended (of itself, or stopped); `true` once joined.
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Raises the stop flag and waits for the thread: what it returned, `Some(Err(_))` if it
    /// panicked, `None` if it was joined before.
    pub fn join(&mut self) -> Option<std::thread::Result<T>> {
        self.request_stop();
        self.thread.take().map(JoinHandle::join)
    }
}

impl<T> Drop for StoppableThread<T> {
    fn drop(&mut self) {
        // A panic on the thread has been reported by the panic hook already; there is
        // nothing more to do with it in a destructor.
        let _ = self.join();
    }
}

#[cfg(test)]
mod tests {
    use super::StoppableThread;
    use std::sync::atomic::Ordering;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn a_thread_runs_until_stopped_and_hands_back_its_result() {
        // The thread says when it has taken its first turn, so the test waits for that rather
        // than for a time a loaded machine could overrun.
        let (started, has_started) = mpsc::channel();
        let mut thread = StoppableThread::spawn("patchvm-test", move |stop| {
            let mut turns = 0_u64;
            loop {
                turns += 1;
                if turns == 1 {
                    started.send(()).expect("the test waits for the first turn");
                }
                if stop.load(Ordering::Acquire) {
                    break turns;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        })
        .unwrap();
        has_started.recv().expect("the thread takes a turn");
        assert!(!thread.is_finished(), "it runs until stopped");
        let turns = thread.join().unwrap().unwrap();
        assert!(thread.is_finished());
        assert!(turns >= 1, "it ran before the flag was raised");
        assert!(thread.join().is_none(), "joined once");
        // One that ends by itself is finished before anyone stops it; dropping waits.
        let ended = StoppableThread::spawn("patchvm-test", |_| 7).unwrap();
        while !ended.is_finished() {
            std::thread::sleep(Duration::from_millis(1));
        }
        drop(ended);
    }
}
