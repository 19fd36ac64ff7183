//! A progress line on stderr for runs past a second — files read, objects, elapsed — only when
//! stderr is a terminal, outside CI and without `--quiet`; cleared when the run is done.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::load::PROGRESS;

/// Shows progress until dropped.
pub struct Ticker {
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Whether a progress line may be drawn: a terminal on stderr, not CI, not a dumb terminal.
fn wanted() -> bool {
    std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none()
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

impl Ticker {
    pub fn start(quiet: bool) -> Ticker {
        let done = Arc::new(AtomicBool::new(false));
        let thread = (!quiet && wanted()).then(|| {
            let done = Arc::clone(&done);
            std::thread::spawn(move || draw(&done))
        });
        Ticker { done, thread }
    }
}

fn draw(done: &AtomicBool) {
    let started = Instant::now();
    let mut drawn = false;
    while !done.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(100));
        let elapsed = started.elapsed();
        if elapsed < Duration::from_secs(1) || done.load(Ordering::Relaxed) {
            continue;
        }
        let line = format!(
            "\r\x1b[2Kingress-lint: {} file(s) read, {} object(s), {:.1} s",
            PROGRESS.files.load(Ordering::Relaxed),
            PROGRESS.objects.load(Ordering::Relaxed),
            elapsed.as_secs_f64()
        );
        let _ = std::io::stderr().write_all(line.as_bytes());
        drawn = true;
    }
    if drawn {
        let _ = std::io::stderr().write_all(b"\r\x1b[2K");
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
