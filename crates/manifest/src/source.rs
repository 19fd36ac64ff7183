//! Source text with a line-start index: byte spans → 1-based line and column.

use std::sync::{Arc, OnceLock};

/// A byte range in one source text: the text of the tree or object it belongs to, or — for a
/// node grafted from another input file (a Kustomize patch merged into its base) — that
/// file's, which `file` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
    /// The input file (its index in the load) when not the owner's own; `Span::OWN` else.
    pub file: u32,
}

impl Default for Span {
    fn default() -> Span {
        Span::new(0, 0)
    }
}

impl Span {
    /// `file` of a span in its owner's own text.
    pub const OWN: u32 = u32::MAX;

    pub fn new(start: usize, end: usize) -> Span {
        let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Span {
            start: clamp(start),
            end: clamp(end.max(start)),
            file: Span::OWN,
        }
    }

    /// This range, in the text of input file `file`.
    pub fn in_file(self, file: usize) -> Span {
        Span {
            file: u32::try_from(file).unwrap_or(Span::OWN),
            ..self
        }
    }

    /// The input file this span is in, when it is not its owner's.
    pub fn foreign_file(self) -> Option<usize> {
        (self.file != Span::OWN).then_some(self.file as usize)
    }

    /// The same range with no file of its own.
    pub fn local(self) -> Span {
        Span {
            file: Span::OWN,
            ..self
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// A 1-based line and column; columns count Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// A file's text (or a lossless stand-in for unreadable input) and where each line starts.
#[derive(Debug)]
pub struct SourceText {
    /// The path as given on the command line, `/`-separated; `-` or `--stdin-filename` for stdin.
    pub name: String,
    pub text: Arc<str>,
    /// Built on the first position asked for: only files with findings need it, and every
    /// file's text is kept to the end.
    line_marks: OnceLock<LineMarks>,
}

/// Where some lines start, how many line breaks precede each block of `BYTES_PER_MARK` bytes,
/// and how many lines there are. A line is found from the block its offset is in, a line's
/// start from the mark before it (set every `LINES_PER_MARK` lines or `BYTES_PER_MARK` bytes,
/// whichever comes first): either way at most a block is counted, however long the lines,
/// and the index costs a small fraction of a full one (every file's text is kept to the end).
#[derive(Debug)]
struct LineMarks {
    /// `(line, byte offset of its start)`, both ascending, from `(0, 0)`.
    marks: Vec<(u32, u32)>,
    /// Line breaks before byte `i * BYTES_PER_MARK`.
    breaks: Vec<u32>,
    lines: usize,
}

const LINES_PER_MARK: u32 = 32;
const BYTES_PER_MARK: usize = 1024;

impl SourceText {
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> SourceText {
        SourceText {
            name: name.into(),
            text: text.into(),
            line_marks: OnceLock::new(),
        }
    }

    fn marks(&self) -> &LineMarks {
        self.line_marks.get_or_init(|| {
            let small = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
            let mut marks = vec![(0u32, 0u32)];
            let mut breaks = Vec::with_capacity(self.text.len() / BYTES_PER_MARK + 1);
            let mut lines = 1usize;
            for (block, bytes) in self.text.as_bytes().chunks(BYTES_PER_MARK).enumerate() {
                breaks.push(small(lines - 1));
                for (at, _) in bytes.iter().enumerate().filter(|&(_, &b)| b == b'\n') {
                    let mark = (small(lines), small(block * BYTES_PER_MARK + at + 1));
                    let last = marks[marks.len() - 1];
                    if mark.0 - last.0 >= LINES_PER_MARK
                        || (mark.1 - last.1) as usize >= BYTES_PER_MARK
                    {
                        marks.push(mark);
                    }
                    lines += 1;
                }
            }
            LineMarks {
                marks,
                breaks,
                lines,
            }
        })
    }

    /// The 0-based line holding `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        let block = offset / BYTES_PER_MARK;
        let Some(&before) = self.marks().breaks.get(block) else {
            // The end of a text whose length is a multiple of the block: after every break.
            return self.marks().lines - 1;
        };
        let from = block * BYTES_PER_MARK;
        let breaks = self.text.as_bytes()[from..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        before as usize + breaks
    }

    pub fn line_start(&self, line_index: usize) -> usize {
        let marks = self.marks();
        if line_index >= marks.lines {
            return self.text.len();
        }
        let mark = marks
            .marks
            .partition_point(|&(line, _)| line as usize <= line_index)
            - 1;
        let (line, start) = marks.marks[mark];
        let bytes = self.text.as_bytes();
        let mut start = start as usize;
        for _ in line as usize..line_index {
            start += bytes[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(0, |n| n + 1);
        }
        start
    }

    pub fn line_count(&self) -> usize {
        self.marks().lines
    }

    /// Byte range of a 0-based line, without its line break.
    pub fn line_range(&self, line_index: usize) -> std::ops::Range<usize> {
        let start = self.line_start(line_index);
        let mut end = self.line_start(line_index + 1).min(self.text.len());
        let bytes = self.text.as_bytes();
        while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        start..end
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let line = self.line_index(offset);
        let start = self.line_start(line);
        Position {
            line: line + 1,
            column: self.text[start..offset].chars().count() + 1,
        }
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let source = SourceText::new("a.yaml", "a: 1\nbé: x\n");
        assert_eq!(source.position(0), Position { line: 1, column: 1 });
        let x = source.text.find('x').unwrap();
        assert_eq!(source.position(x), Position { line: 2, column: 5 });
        assert_eq!(source.line_range(1), 5..11);
    }

    #[test]
    fn sampled_line_marks_agree_with_every_line_start() {
        for lines in [0, 1, 31, 32, 33, 64, 100] {
            for (ending, long) in [("", 7), ("\n", 7), ("\n", 3001)] {
                let body: Vec<String> = (0..lines).map(|i| "x".repeat(i * 13 % long)).collect();
                let text = body.join("\r\n") + ending;
                let source = SourceText::new("a.yaml", text.as_str());
                let mut starts = vec![0];
                starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
                assert_eq!(source.line_count(), starts.len());
                for (line, &start) in starts.iter().enumerate() {
                    assert_eq!(source.line_start(line), start);
                    assert_eq!(source.line_index(start), line);
                }
                for offset in (0..=text.len() + 2).step_by(if long > 7 { 61 } else { 1 }) {
                    let line = starts.partition_point(|&s| s <= offset) - 1;
                    assert_eq!(source.line_index(offset), line, "{lines} {offset}");
                }
                assert_eq!(source.line_start(starts.len()), text.len());
            }
        }
    }

    #[test]
    fn a_text_of_whole_blocks_ends_after_its_last_break() {
        let text = "a\n".repeat(BYTES_PER_MARK); // two blocks exactly
        let source = SourceText::new("a.yaml", text.as_str());
        assert_eq!(source.line_count(), BYTES_PER_MARK + 1);
        assert_eq!(source.line_index(text.len()), BYTES_PER_MARK);
        assert_eq!(source.line_index(BYTES_PER_MARK), BYTES_PER_MARK / 2);
        assert_eq!(source.line_start(BYTES_PER_MARK), text.len());
    }

    #[test]
    fn offsets_past_the_end_clamp() {
        let source = SourceText::new("a.yaml", "abc");
        assert_eq!(source.position(99), Position { line: 1, column: 4 });
    }
}
