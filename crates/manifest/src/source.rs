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
    /// The text as read, less the `holes`: an `Arc<String>`, so that the text read (or kept)
    /// moves in rather than being copied.
    text: Arc<String>,
    /// Runs of whole lines let go after loading (parts of objects nothing reads), in order.
    /// Offsets, lines and positions stay those of the file as read.
    holes: Vec<Hole>,
    /// Built on the first position asked for: only files with findings need it, and every
    /// file's kept text is kept to the end.
    line_marks: OnceLock<LineMarks>,
}

/// Whole lines taken out of the kept text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Hole {
    /// Its first byte in the file as read: a line's start.
    start: u32,
    /// Its length: it ends after a line break.
    len: u32,
    /// The index of its first line in the file as read.
    first_line: u32,
    /// The line breaks it holds.
    lines: u32,
    /// Bytes and line breaks taken out before it.
    bytes_before: u32,
    lines_before: u32,
}

impl Hole {
    fn end(&self) -> usize {
        self.start as usize + self.len as usize
    }

    /// Where the kept text resumes after it, in the kept text.
    fn kept_at(&self) -> usize {
        (self.start - self.bytes_before) as usize
    }

    fn bytes_through(&self) -> usize {
        self.bytes_before as usize + self.len as usize
    }

    fn lines_through(&self) -> usize {
        self.lines_before as usize + self.lines as usize
    }
}

/// Where an offset of the file as read is in the kept text.
enum Kept<'h> {
    /// At this offset of the kept text, with this many line breaks taken out before it.
    At(usize, usize),
    /// Inside a hole.
    Gone(&'h Hole),
}

/// Where some lines start, how many line breaks precede each block of `BYTES_PER_MARK` bytes,
/// and how many lines there are. A line is found from the block its offset is in, a line's
/// start from the mark before it (set every `LINES_PER_MARK` lines or `BYTES_PER_MARK` bytes,
/// whichever comes first): either way at most a block is counted, however long the lines,
/// and the index costs a small fraction of a full one (every file's text is kept to the end).
/// It indexes the kept text; the lines of holes are added on.
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
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceText {
        SourceText {
            name: name.into(),
            text: Arc::new(text.into()),
            holes: Vec::new(),
            line_marks: OnceLock::new(),
        }
    }

    /// The text all of whose lines are kept, shared with the tree parsed from it.
    pub(crate) fn shared(&self) -> &Arc<String> {
        &self.text
    }

    /// The length of the file as read.
    pub fn len(&self) -> usize {
        self.text.len() + self.holes.last().map_or(0, Hole::bytes_through)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text of a range of the file, unless some of it was let go (or the range is out of
    /// bounds or not on character boundaries).
    pub fn slice(&self, range: std::ops::Range<usize>) -> Option<&str> {
        let Kept::At(start, _) = self.kept(range.start) else {
            return None;
        };
        let next = self
            .holes
            .partition_point(|h| (h.start as usize) <= range.start);
        if self
            .holes
            .get(next)
            .is_some_and(|h| (h.start as usize) < range.end)
        {
            return None;
        }
        let end = start.checked_add(range.end.checked_sub(range.start)?)?;
        self.text.get(start..end)
    }

    /// The run of kept text that holds `offset`, with the offset of its start in the file as
    /// read.
    pub fn run_at(&self, offset: usize) -> Option<(usize, &str)> {
        let after = self.holes.partition_point(|h| (h.start as usize) <= offset);
        let (start, from) = match after.checked_sub(1).and_then(|i| self.holes.get(i)) {
            None => (0, 0),
            Some(hole) if offset < hole.end() => return None,
            Some(hole) => (hole.end(), hole.kept_at()),
        };
        let to = self.holes.get(after).map_or(self.text.len(), Hole::kept_at);
        Some((start, self.text.get(from..to)?))
    }

    /// The kept text in runs, each with the offset of its start in the file as read.
    pub fn kept_runs(&self) -> impl Iterator<Item = (usize, &str)> + '_ {
        let starts =
            std::iter::once((0, 0)).chain(self.holes.iter().map(|h| (h.end(), h.kept_at())));
        let ends = self
            .holes
            .iter()
            .map(Hole::kept_at)
            .chain(std::iter::once(self.text.len()));
        starts
            .zip(ends)
            .map(|((start, from), to)| (start, self.text.get(from..to).unwrap_or_default()))
            .filter(|(_, run)| !run.is_empty())
    }

    /// The whole lines inside `range` of a text not yet cut, if any.
    pub(crate) fn whole_lines(
        &self,
        range: std::ops::Range<usize>,
    ) -> Option<std::ops::Range<usize>> {
        let bytes = self.text.as_bytes();
        let (from, to) = (range.start.min(bytes.len()), range.end.min(bytes.len()));
        let start = if from == 0 || bytes.get(from - 1) == Some(&b'\n') {
            from
        } else {
            from + bytes.get(from..to)?.iter().position(|&b| b == b'\n')? + 1
        };
        let end = start + bytes.get(start..to)?.iter().rposition(|&b| b == b'\n')? + 1;
        Some(start..end)
    }

    /// Lets go of whole-line ranges (from `whole_lines`, in order, apart) of a text not yet
    /// cut: offsets, lines and positions stay those of the file as read. A tree over the text
    /// moves its ranges with `kept_offset` and takes the new text from `shared`.
    pub(crate) fn let_go(&mut self, ranges: &[std::ops::Range<usize>]) {
        if !self.holes.is_empty() || ranges.is_empty() {
            return;
        }
        let small = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        // Cut where it lies when nothing else holds the text (the loader's case), else copied.
        let mut text = match Arc::get_mut(&mut self.text) {
            Some(text) => std::mem::take(text).into_bytes(),
            None => self.text.as_bytes().to_vec(),
        };
        // Counted in SIMD: this runs over most of every file's text.
        let breaks = |bytes: &[u8], range: std::ops::Range<usize>| {
            memchr::memchr_iter(b'\n', &bytes[range]).count()
        };
        let mut holes: Vec<Hole> = Vec::with_capacity(ranges.len());
        let (mut from, mut line, mut to) = (0usize, 0usize, 0usize);
        let (mut bytes_before, mut lines_before) = (0usize, 0usize);
        for range in ranges {
            if range.start < from || range.end > text.len() || range.is_empty() {
                continue;
            }
            line += breaks(&text, from..range.start);
            let lines = breaks(&text, range.clone());
            text.copy_within(from..range.start, to);
            to += range.start - from;
            match holes.last_mut() {
                Some(last) if last.end() == range.start => {
                    last.len += small(range.len());
                    last.lines += small(lines);
                }
                _ => holes.push(Hole {
                    start: small(range.start),
                    len: small(range.len()),
                    first_line: small(line),
                    lines: small(lines),
                    bytes_before: small(bytes_before),
                    lines_before: small(lines_before),
                }),
            }
            line += lines;
            bytes_before += range.len();
            lines_before += lines;
            from = range.end;
        }
        let rest = text.len() - from;
        text.copy_within(from.., to);
        text.truncate(to + rest);
        text.shrink_to_fit();
        // Whole lines were cut, so the text is still UTF-8.
        let text = String::from_utf8(text)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        self.text = Arc::new(text);
        self.holes = holes;
        self.line_marks = OnceLock::new();
    }

    /// Where `offset` of the file as read is in the kept text, if it was kept.
    pub(crate) fn kept_offset(&self, offset: usize) -> Option<usize> {
        match self.kept(offset) {
            Kept::At(at, _) => Some(at),
            Kept::Gone(_) => None,
        }
    }

    fn kept(&self, offset: usize) -> Kept<'_> {
        let after = self.holes.partition_point(|h| (h.start as usize) <= offset);
        match after.checked_sub(1).and_then(|i| self.holes.get(i)) {
            None => Kept::At(offset, 0),
            Some(hole) if offset < hole.end() => Kept::Gone(hole),
            Some(hole) => Kept::At(offset - hole.bytes_through(), hole.lines_through()),
        }
    }

    fn marks(&self) -> &LineMarks {
        self.line_marks.get_or_init(|| {
            let small = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
            let mut marks = vec![(0u32, 0u32)];
            let blocks = self.text.len().div_ceil(BYTES_PER_MARK);
            let mut breaks = Vec::with_capacity(blocks);
            let mut lines = 1usize;
            // The memchr crate's search is vectorised (the standard library's is not).
            for at in memchr::memchr_iter(b'\n', self.text.as_bytes()) {
                // The blocks that start up to this break follow every break before it.
                while breaks.len() * BYTES_PER_MARK <= at {
                    breaks.push(small(lines - 1));
                }
                let mark = (small(lines), small(at + 1));
                let last = marks[marks.len() - 1];
                if mark.0 - last.0 >= LINES_PER_MARK || (mark.1 - last.1) as usize >= BYTES_PER_MARK
                {
                    marks.push(mark);
                }
                lines += 1;
            }
            breaks.resize(blocks, small(lines - 1));
            LineMarks {
                marks,
                breaks,
                lines,
            }
        })
    }

    /// The 0-based line holding `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        match self.kept(offset.min(self.len())) {
            Kept::At(at, lines) => self.kept_line_index(at) + lines,
            Kept::Gone(hole) => hole.first_line as usize,
        }
    }

    /// The start of a 0-based line (the end of the text past the last).
    pub fn line_start(&self, line_index: usize) -> usize {
        if line_index >= self.line_count() {
            return self.len();
        }
        let after = self
            .holes
            .partition_point(|h| h.first_line as usize <= line_index);
        match after.checked_sub(1).and_then(|i| self.holes.get(i)) {
            None => self.kept_line_start(line_index),
            Some(hole) if line_index < hole.first_line as usize + hole.lines as usize => {
                hole.start as usize
            }
            Some(hole) => {
                self.kept_line_start(line_index - hole.lines_through()) + hole.bytes_through()
            }
        }
    }

    pub fn line_count(&self) -> usize {
        self.marks().lines + self.holes.last().map_or(0, Hole::lines_through)
    }

    /// Byte range of a 0-based line, without its line break (empty for a line let go).
    pub fn line_range(&self, line_index: usize) -> std::ops::Range<usize> {
        let start = self.line_start(line_index);
        let end = self.line_start(line_index + 1).min(self.len());
        let text = self.slice(start..end).unwrap_or_default();
        start..start + text.trim_end_matches(['\n', '\r']).len()
    }

    /// The text of a 0-based line, without its line break (empty for a line let go).
    pub fn line_text(&self, line_index: usize) -> &str {
        self.slice(self.line_range(line_index)).unwrap_or_default()
    }

    pub fn position(&self, offset: usize) -> Position {
        let (at, lines) = match self.kept(offset.min(self.len())) {
            Kept::At(at, lines) => (at, lines),
            Kept::Gone(hole) => {
                return Position {
                    line: hole.first_line as usize + 1,
                    column: 1,
                }
            }
        };
        let at = floor_char_boundary(&self.text, at);
        let line = self.kept_line_index(at);
        let start = self.kept_line_start(line);
        Position {
            line: line + lines + 1,
            column: self.text[start..at].chars().count() + 1,
        }
    }

    /// The line of an offset of the kept text, in the kept text.
    fn kept_line_index(&self, offset: usize) -> usize {
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

    fn kept_line_start(&self, line_index: usize) -> usize {
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
        let x = source.shared().find('x').unwrap();
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

    /// Every offset and line outside the lines let go reads as in the whole text.
    #[test]
    fn lines_let_go_leave_offsets_lines_and_positions_alone() {
        let lines: Vec<String> = (0..300)
            .map(|i| format!("l{i}: {}é", "x".repeat(i * 37 % 90)))
            .collect();
        let text = lines.join("\n") + "\n";
        let whole = SourceText::new("a.yaml", text.as_str());
        let starts: Vec<usize> = (0..whole.line_count())
            .map(|l| whole.line_start(l))
            .collect();
        for gone in [
            vec![(0, 3)],
            vec![(5, 40), (40, 41), (100, 170)],
            vec![(250, 300)],
            vec![(1, 2), (3, 4), (299, 300)],
        ] {
            let ranges: Vec<std::ops::Range<usize>> =
                gone.iter().map(|&(a, b)| starts[a]..starts[b]).collect();
            let mut cut = SourceText::new("a.yaml", text.as_str());
            cut.let_go(&ranges);
            let is_gone = |offset: usize| ranges.iter().any(|r| r.contains(&offset));
            assert_eq!(cut.len(), text.len());
            assert_eq!(cut.line_count(), whole.line_count());
            for offset in (0..=text.len() + 3).filter(|&o| !is_gone(o)) {
                assert_eq!(
                    cut.position(offset),
                    whole.position(offset),
                    "{gone:?} {offset}"
                );
                assert_eq!(cut.line_index(offset), whole.line_index(offset));
                assert!(cut.kept_offset(offset).is_some());
            }
            for line in 0..=whole.line_count() {
                let start = whole.line_start(line);
                if is_gone(start) {
                    assert_eq!(cut.line_text(line), "");
                    continue;
                }
                assert_eq!(cut.line_start(line), start, "{gone:?} {line}");
                assert_eq!(cut.line_range(line), whole.line_range(line));
                assert_eq!(cut.line_text(line), whole.line_text(line));
            }
            for range in &ranges {
                // A hole's start reads as it did (ranges that meet make one hole).
                if !ranges.iter().any(|r| r.end == range.start) {
                    assert_eq!(cut.position(range.start), whole.position(range.start));
                }
                assert_eq!(cut.slice(range.start..range.end), None);
                assert_eq!(cut.slice(range.start.saturating_sub(1)..range.end), None);
            }
            let runs: usize = cut.kept_runs().map(|(_, run)| run.len()).sum();
            assert_eq!(runs, (0..text.len()).filter(|&o| !is_gone(o)).count());
            for (base, run) in cut.kept_runs() {
                assert_eq!(&text[base..base + run.len()], run);
                assert_eq!(cut.run_at(base), Some((base, run)));
            }
        }
    }

    #[test]
    fn whole_lines_are_the_lines_inside_a_range() {
        let source = SourceText::new("a.yaml", "ab\ncd\nef\ngh");
        assert_eq!(source.whole_lines(1..9), Some(3..9));
        assert_eq!(source.whole_lines(0..3), Some(0..3));
        assert_eq!(source.whole_lines(3..5), None);
        assert_eq!(
            source.whole_lines(9..11),
            None,
            "the last line has no break"
        );
    }

    #[test]
    fn offsets_past_the_end_clamp() {
        let source = SourceText::new("a.yaml", "abc");
        assert_eq!(source.position(99), Position { line: 1, column: 4 });
    }
}
