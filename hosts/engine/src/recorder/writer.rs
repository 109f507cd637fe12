//! The recordings' writer thread, one per engine: drains every running recording's ring into
//! its file, and rewrites each file's header every [`HEADER_EVERY`], so a process killed
//! mid-take leaves a file that reads complete but for the last moments.

use super::wav_file::WavFile;
use crate::thread::StoppableThread;
use std::io;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::{Duration, Instant};

/// How often each file's header is brought up to date: twice as often as the one
/// second, so a kill loses at most half a second of what reached the writer.
const HEADER_EVERY: Duration = Duration::from_millis(500);

/// How long the writer sleeps between drains when nothing asks it anything: a 2 s ring is
/// drained hundreds of times before it could fill.
const POLL: Duration = Duration::from_millis(5);

/// What the control side asks the writer.
#[derive(Debug)]
pub(crate) enum Job {
    /// Drain `ring` into `file` from now on, for the recording in `slot`.
    Open {
        slot: usize,
        ring: rtrb::Consumer<f32>,
        file: WavFile,
    },
    /// The audio half has let go of `slot`'s ring: drain what is left, finish the file, and
    /// answer.
    Close { slot: usize },
}

/// The writer's answer to a [`Job::Close`]: the frames in the file, or why it failed.
#[derive(Debug)]
pub(crate) struct Closed {
    pub(crate) slot: usize,
    pub(crate) written: io::Result<u64>,
}

/// A recording being written: its ring, its file, and the first error it met (after which
/// its samples are drained and dropped, so the audio half never finds the ring full).
struct Open {
    slot: usize,
    ring: rtrb::Consumer<f32>,
    file: WavFile,
    failed: Option<io::Error>,
}

impl Open {
    /// Moves everything in the ring to the file.
    fn drain(&mut self) {
        let Ok(chunk) = self.ring.read_chunk(self.ring.slots()) else {
            return;
        };
        let (first, second) = chunk.as_slices();
        if self.failed.is_none()
            && let Err(error) = self
                .file
                .write(first)
                .and_then(|()| self.file.write(second))
        {
            self.failed = Some(error);
        }
        chunk.commit_all();
    }

    fn update_header(&mut self) {
        if self.failed.is_none()
            && let Err(error) = self.file.update_header()
        {
            self.failed = Some(error);
        }
    }

    fn close(mut self) -> io::Result<u64> {
        self.drain();
        if let Some(error) = self.failed {
            return Err(error);
        }
        let frames = self.file.frames();
        self.file.finish()?;
        Ok(frames)
    }
}

/// The writer thread and the two channels to it and back.
#[derive(Debug)]
pub(crate) struct Writer {
    jobs: Sender<Job>,
    pub(crate) closed: Receiver<Closed>,
    _thread: StoppableThread,
}

impl Writer {
    /// Starts the writer thread.
    pub(crate) fn start() -> io::Result<Writer> {
        let (jobs, jobs_rx) = channel();
        let (closed_tx, closed) = channel();
        let thread = StoppableThread::spawn("patchvm-recorder", move |stop| {
            let mut open: Vec<Open> = Vec::new();
            let mut header_at = Instant::now();
            while !stop.load(std::sync::atomic::Ordering::Acquire) {
                match jobs_rx.recv_timeout(POLL) {
                    Ok(Job::Open { slot, ring, file }) => open.push(Open {
                        slot,
                        ring,
                        file,
                        failed: None,
                    }),
                    Ok(Job::Close { slot }) => {
                        if let Some(at) = open.iter().position(|o| o.slot == slot) {
                            let written = open.swap_remove(at).close();
                            let _ = closed_tx.send(Closed { slot, written });
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => break,
                }
                open.iter_mut().for_each(Open::drain);
                if header_at.elapsed() >= HEADER_EVERY {
                    open.iter_mut().for_each(Open::update_header);
                    header_at = Instant::now();
                }
            }
            for recording in open {
                let _ = recording.close();
            }
        })?;
        Ok(Writer {
            jobs,
            closed,
            _thread: thread,
        })
    }

    /// Hands the writer a job.
    pub(crate) fn send(&self, job: Job) {
        // The thread only ends when this is dropped.
        let _ = self.jobs.send(job);
    }
}
