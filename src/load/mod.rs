//! Load stage: read and parse every input in parallel; results keep the input order, so
//! nothing downstream depends on thread timing.

use manifest::parse::{Limits, Problem, ProblemKind};
use manifest::{LoadedFile, SourceText, Span};
use rayon::prelude::*;

use crate::input::{self, Input, ReadError};

/// Everything read, in input order. Unreadable files are here too, holding their problem.
#[derive(Debug, Default)]
pub struct Loaded {
    pub files: Vec<LoadedFile>,
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

pub fn load(inputs: &[Input], max_file_size: u64) -> Loaded {
    let files = inputs
        .par_iter()
        .map(|input| load_one(input, max_file_size))
        .collect();
    Loaded { files }
}

fn load_one(input: &Input, max_file_size: u64) -> LoadedFile {
    let name = input.display().to_string();
    match input::read(input, max_file_size) {
        Ok(text) => manifest::load_file(SourceText::new(name, text), Limits::default()),
        Err(error) => {
            // Keep what can be shown: the valid prefix of a non-UTF-8 file locates the bad byte.
            let (text, at) = match &error {
                ReadError::NotUtf8 {
                    valid_prefix,
                    offset,
                } => (valid_prefix.clone(), *offset),
                _ => (String::new(), 0),
            };
            let source = SourceText::new(name, text);
            let problem = Problem::new(
                ProblemKind::Unreadable,
                Span::new(at, at),
                error.to_string(),
            );
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
