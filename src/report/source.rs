//! A miette `SourceCode` backed by the line-start index. miette's own `str` source scans from
//! byte 0 for every label (20,000 findings in a 3.5 MB file: 196 s) and reports line counts
//! from the start of the file, which merges labels 92,000 lines apart into one window; this
//! one answers from the index (same findings: 0.26 s).

use std::sync::Arc;

use manifest::SourceText;
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

#[derive(Debug, Clone)]
pub struct IndexedSource(pub Arc<SourceText>);

impl SourceCode for IndexedSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let source = &self.0;
        let text = &source.text;
        if span.offset() > text.len() || span.offset() + span.len() > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let first_line = source.line_index(span.offset());
        let last_byte = (span.offset() + span.len())
            .saturating_sub(1)
            .max(span.offset());
        let last_line = source.line_index(last_byte.min(text.len()));
        let window_first = first_line.saturating_sub(context_lines_before);
        let window_last = (last_line + context_lines_after).min(source.line_count() - 1);
        let start = source.line_start(window_first);
        let end = source.line_range(window_last).end;
        let column = if context_lines_before == 0 {
            text[source.line_start(first_line)..span.offset()]
                .chars()
                .count()
        } else {
            0
        };
        let start = if context_lines_before == 0 {
            span.offset()
        } else {
            start
        };
        let end = end.max(start);
        Ok(Box::new(MietteSpanContents::new_named(
            source.name.clone(),
            &text.as_bytes()[start..end],
            (start, end - start).into(),
            if context_lines_before == 0 {
                first_line
            } else {
                window_first
            },
            column,
            window_last - window_first,
        )))
    }
}
