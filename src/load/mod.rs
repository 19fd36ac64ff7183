//! Load stage: read and parse every input in parallel; results keep the input order, so
//! nothing downstream depends on thread timing.

use manifest::parse::{Limits, Problem, ProblemKind};
use manifest::{LoadedFile, SourceText, Span};
use rayon::prelude::*;

use crate::input::{self, Input, ReadError};
use crate::release::Setup;

pub use manifest::ObjectKey;

/// Everything read, in input order. Unreadable files are here too, holding their problem.
#[derive(Debug, Default)]
pub struct Loaded {
    pub files: Vec<LoadedFile>,
    /// Helm releases of known controller charts; their rendered objects are in `files`.
    pub releases: crate::release::Releases,
    /// Symlinks and special files the directory walk passed over.
    pub skipped_entries: input::Skipped,
    /// What `check --baseline` left out.
    pub baseline: Option<crate::findings::BaselineCounts>,
}

impl Loaded {
    pub fn documents(&self) -> usize {
        self.files.iter().map(|f| f.documents.len()).sum()
    }

    pub fn objects(&self) -> usize {
        self.files.iter().map(|f| f.objects.len()).sum()
    }

    pub fn skipped_documents(&self) -> usize {
        self.files.iter().map(|f| f.skipped_documents).sum()
    }
}

/// How far loading has got, for a progress line (`cli`): files read and objects modelled.
pub static PROGRESS: Progress = Progress {
    files: std::sync::atomic::AtomicUsize::new(0),
    objects: std::sync::atomic::AtomicUsize::new(0),
};

pub struct Progress {
    pub files: std::sync::atomic::AtomicUsize,
    pub objects: std::sync::atomic::AtomicUsize,
}

/// Reads and parses every input in parallel, then renders the Helm releases found in them
/// and adds the controllers the platform and the configuration bring.
pub fn load(inputs: &[Input], max_file_size: u64, setup: &Setup<'_>) -> Loaded {
    use std::sync::atomic::Ordering::Relaxed;
    let files = inputs
        .par_iter()
        .map(|input| {
            let file = load_one(input, max_file_size);
            PROGRESS.files.fetch_add(1, Relaxed);
            PROGRESS.objects.fetch_add(file.objects.len(), Relaxed);
            file
        })
        .collect();
    Loaded::from_files(files, setup)
}

impl Loaded {
    /// The files as parsed, with the Helm releases in them rendered.
    pub fn from_files(mut files: Vec<LoadedFile>, setup: &Setup<'_>) -> Loaded {
        let releases = crate::release::expand(&mut files, crate::knowledge::knowledge(), setup);
        Loaded {
            files,
            releases,
            skipped_entries: input::Skipped::default(),
            baseline: None,
        }
    }
}

fn load_one(input: &Input, max_file_size: u64) -> LoadedFile {
    load_bytes(input.display(), input::read(input, max_file_size))
}

/// Loads one input's bytes (or the reason they could not be read) under a display name.
pub fn load_bytes(name: &str, bytes: Result<Vec<u8>, ReadError>) -> LoadedFile {
    let name = name.to_string();
    match bytes.and_then(input::decode) {
        Ok(text) => manifest::load_file(SourceText::new(name, text), Limits::default()),
        Err(error) => {
            // A non-UTF-8 file is shown with U+FFFD in place of the bad bytes; the first one
            // (3 bytes in the lossy text, at the same offset) is the finding's location.
            let (text, span) = match error {
                ReadError::NotUtf8 {
                    ref lossy_text,
                    offset,
                } => (
                    lossy_text.clone(),
                    Span::new(offset, offset + '\u{FFFD}'.len_utf8()),
                ),
                _ => (String::new(), Span::new(0, 0)),
            };
            let source = SourceText::new(name, text);
            let problem = Problem::new(ProblemKind::Unreadable, span, error.to_string());
            LoadedFile {
                source: std::sync::Arc::new(source),
                tree: Default::default(),
                documents: Vec::new(),
                objects: Vec::new(),
                problems: vec![problem],
                skipped_documents: 0,
            }
        }
    }
}
