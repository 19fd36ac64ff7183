//! Random Kustomize graphs (diamonds, chains, cycles, components): time and memory stay
//! linear in the number of files. Time is bounded per file by `kustomize_graph`; memory here,
//! by counting what the run holds at its peak.
#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use ingress_lint::fuzzing::kustomize_graph;
use libfuzzer_sys::fuzz_target;

/// Bytes a run may hold per file, over a fixed allowance: generous, so that only growth
/// faster than the files (a build per path through a diamond) fails.
const BYTES_PER_FILE: usize = 1 << 20;
const ALLOWANCE: usize = 64 << 20;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

struct Counting;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let held = HELD.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(held, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        HELD.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fuzz_target!(|data: &[u8]| {
    let before = HELD.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let (_, files) = kustomize_graph(data);
    let grown = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    let bound = BYTES_PER_FILE * files + ALLOWANCE;
    assert!(grown <= bound, "{files} files held {grown} bytes (bound {bound})");
});
