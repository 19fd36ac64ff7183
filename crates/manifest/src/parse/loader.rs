//! Events → located trees. Recovers at the next document after a syntax error, finds
//! duplicate keys, and bounds alias expansion and nesting so hostile input stays cheap.

use std::collections::HashMap;
use std::sync::Arc;

use granit_parser::{Event, Parser, ScanError};

use super::by_lines;
use super::tree::{Entry, NodeId, ScalarStyle, Tree};
use super::{Problem, ProblemKind};
use crate::source::Span;

/// Mappings up to this many entries are checked for repeated keys by comparing each key with
/// the ones before it, which costs less than hashing every key (most mappings are this small).
const SMALL_MAPPING: usize = 16;

/// Bounds that keep hostile input cheap.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Nodes reachable through aliases in one document ("billion laughs" guard).
    pub alias_expansion: u64,
    /// Nested collections.
    pub nesting: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            alias_expansion: 100_000,
            nesting: 128,
        }
    }
}

#[derive(Clone, Debug)]
pub struct ParsedDocument {
    /// `None` for an empty document (a lone `---`) or one abandoned after an error.
    pub root: Option<NodeId>,
    pub span: Span,
    /// The `# Source: chart/templates/x.yaml` comment `helm template` writes before it: one
    /// text per template in a file (a stream of renders repeats each).
    pub helm_source: Option<Arc<str>>,
}

#[derive(Clone, Debug, Default)]
pub struct ParsedFile {
    pub tree: Tree,
    pub documents: Vec<ParsedDocument>,
    pub problems: Vec<Problem>,
    /// The root entries passed over (`NamesOnly`): each from its key to its value's end.
    pub passed_over: Vec<PassedOver>,
}

/// Kinds whose objects are read for their names only: below the root of such an object only
/// the `keep` entries are built, and the others are passed over as they are parsed (most of
/// an RBAC or CRD bundle), or not parsed at all once the kept ones are read, when lines tell
/// the rest of the document for sure (`by_lines`). The tree is then the one the full build
/// gives once those entries are cut, unless the body holds what the full tree is needed for —
/// an anchor, an alias, a key that is not plain text as written — and then the file is built
/// whole. What is wrong inside a body not parsed is not seen.
#[derive(Clone, Copy, Debug)]
pub struct NamesOnly<'k> {
    pub kinds: &'k [&'k str],
    pub keep: &'k [&'k str],
}

/// A root entry of a names-only object that was passed over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PassedOver {
    pub document: usize,
    /// From the entry's key to the end of its value.
    pub span: Span,
}

/// An open collection; its children so far are the builder's pending items or entries from
/// `start` on (nested collections take theirs off the end when they close).
enum Frame {
    Sequence {
        id: NodeId,
        start: usize,
    },
    Mapping {
        id: NodeId,
        start: usize,
        key: Option<NodeId>,
    },
}

impl Frame {
    fn id(&self) -> NodeId {
        match self {
            Frame::Sequence { id, .. } | Frame::Mapping { id, .. } => *id,
        }
    }
}

struct Builder<'a> {
    text: &'a str,
    names_only: Option<NamesOnly<'a>>,
    skim: Skim<'a>,
    limits: Limits,
    file: ParsedFile,
    stack: Vec<Frame>,
    pending_items: Vec<NodeId>,
    pending_entries: Vec<Entry>,
    anchors: HashMap<usize, NodeId>,
    /// The `# Source:` texts so far, each once.
    helm_sources: HashMap<&'a str, Arc<str>>,
    /// Nodes each node stands for once aliases are expanded (saturating).
    expanded: Vec<u64>,
    alias_expansion: u64,
    document: Option<ParsedDocument>,
    /// Set once a document hit a bound: its remaining events are skipped.
    abandoned: bool,
}

/// The state of passing over a names-only object's root entry.
#[derive(Default)]
struct Skim<'a> {
    /// The document's root so far has a string `apiVersion`.
    api_version: bool,
    /// The document's root so far has a names-only `kind`.
    names_only: bool,
    /// The open collections of the value passed over (empty: none is).
    frames: Vec<SkimFrame>,
    /// The keys of the open mappings passed over, for repeated keys.
    keys: Vec<&'a str>,
    /// The keys of the open root mapping's entries passed over, for repeated keys.
    root_keys: Vec<&'a str>,
    /// Where the entry passed over starts (its key).
    start: u32,
    /// Where its last node so far ends (a block collection ends at its last child).
    end: u32,
    /// Where the last entry passed over in the open root mapping ends.
    root_end: u32,
    /// The file must be built whole.
    rebuild: bool,
    /// Lines could not tell the rest of this document: it is parsed (and not tried again,
    /// which would cost the square of its root entries).
    lines_untold: bool,
}

impl Skim<'_> {
    fn next_document(&mut self) {
        self.api_version = false;
        self.names_only = false;
        self.frames.clear();
        self.keys.clear();
        self.root_keys.clear();
        self.root_end = 0;
        self.lines_untold = false;
    }
}

enum SkimFrame {
    Sequence,
    Mapping { keys: usize, key_next: bool },
}

/// Parses a whole file: every document that can be read, and a problem for each that cannot.
pub fn parse(text: &str, limits: Limits) -> ParsedFile {
    let parsed = parse_into(text, Tree::default(), limits, None).unwrap_or_default();
    reparse_placeholders(text, parsed, limits, || {
        Tree::over(Arc::new(text.to_string()))
    })
}

/// `parse`, with the tree's scalars pointing into the shared text where they can, and the
/// bodies of `names_only` objects passed over (see `NamesOnly`).
pub fn parse_shared(
    text: &Arc<String>,
    limits: Limits,
    names_only: Option<NamesOnly<'_>>,
) -> ParsedFile {
    let shared = || Tree::over(text.clone());
    // The quick way cannot tell template actions apart: they need every scalar's range.
    let names_only = names_only.filter(|_| !text.contains("{{"));
    let parsed = parse_into(text, shared(), limits, names_only)
        .or_else(|| parse_into(text, shared(), limits, None))
        .unwrap_or_default();
    reparse_placeholders(text, parsed, limits, shared)
}

/// A text that does not parse, read again with its `${VAR}` placeholders masked when that
/// makes it parse: in a flow collection a placeholder is a scalar once substituted. The
/// scalars still point at the text as written (`over` gives a tree over it).
fn reparse_placeholders(
    text: &str,
    parsed: ParsedFile,
    limits: Limits,
    over: impl Fn() -> Tree,
) -> ParsedFile {
    let broken = |p: &ParsedFile| p.problems.iter().any(|p| p.kind == ProblemKind::Syntax);
    if !broken(&parsed) || !text.contains("${") {
        return parsed;
    }
    if let std::borrow::Cow::Owned(masked) = super::tree::mask_placeholders(text) {
        let tree = over().with_placeholders_masked();
        if let Some(reread) = parse_into(&masked, tree, limits, None) {
            if !broken(&reread) {
                return reread;
            }
        }
    }
    parsed
}

/// `None` when the file must be built whole (only ever when `names_only` is given).
fn parse_into(
    text: &str,
    mut tree: Tree,
    limits: Limits,
    names_only: Option<NamesOnly<'_>>,
) -> Option<ParsedFile> {
    // About one node per 18 bytes of manifest YAML: growing the arena by doubling would copy
    // it over and over (untouched capacity costs no resident memory).
    tree.reserve(text.len() / 18);
    let options = || {
        granit_parser::options! {
            block_nesting_limit: limits.nesting,
            flow_nesting_limit: limits.nesting,
            emit_comments: false,
        }
    };
    let mut parser = Parser::new_from_str_with_options(text, options());
    // Where the parser's text starts: after a document passed over by its lines, a parser
    // starts anew at the next one.
    let mut base = 0;
    let mut builder = Builder {
        text,
        names_only,
        skim: Skim::default(),
        limits,
        file: ParsedFile {
            tree,
            ..ParsedFile::default()
        },
        stack: Vec::new(),
        pending_items: Vec::new(),
        pending_entries: Vec::new(),
        anchors: HashMap::new(),
        helm_sources: HashMap::new(),
        expanded: Vec::with_capacity(text.len() / 18),
        alias_expansion: 0,
        document: None,
        abandoned: false,
    };
    loop {
        match parser.next_event() {
            None => break,
            Some(Ok((event, span))) => {
                let span = byte_span(&span.start, &span.end, base);
                let event = match builder.pass_over(event, span) {
                    Some(event) => event,
                    None if builder.skim.rebuild => return None,
                    None => continue,
                };
                let built = builder.event(event, span);
                if builder.skim.rebuild {
                    return None;
                }
                if let Err(problem) = built {
                    builder.abandon(problem);
                    if !matches!(parser.proceed_next_document(), Ok(true)) {
                        break;
                    }
                } else if let Some(end) = builder.pass_over_lines() {
                    if builder.skim.rebuild {
                        return None;
                    }
                    if end == text.len() {
                        break;
                    }
                    base = end;
                    parser = Parser::new_from_str_with_options(&text[end..], options());
                }
            }
            Some(Err(error)) => {
                builder.abandon(syntax_problem(text, &error, base, limits));
                if !matches!(parser.proceed_next_document(), Ok(true)) {
                    break;
                }
            }
        }
    }
    builder.file.tree.shrink_to_fit();
    Some(builder.file)
}

/// A span of the parser's, whose text starts at `base`.
fn byte_span(start: &granit_parser::Marker, end: &granit_parser::Marker, base: usize) -> Span {
    let start = start.byte_offset().unwrap_or(start.index());
    let end = end.byte_offset().unwrap_or(end.index());
    Span::new(base + start, base + end)
}

fn syntax_problem(text: &str, error: &ScanError, base: usize, limits: Limits) -> Problem {
    let marker = error.marker();
    let mut at = (base + marker.byte_offset().unwrap_or(marker.index())).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    let message = error.kind().to_string();
    if ["nesting", "nested", "recursion limit"]
        .iter()
        .any(|m| message.contains(m))
    {
        return Problem::new(
            ProblemKind::Unreadable,
            Span::new(at, end),
            format!(
                "collections nested deeper than the bound of {} levels ({message})",
                limits.nesting
            ),
        );
    }
    Problem::new(ProblemKind::Syntax, Span::new(at, end), message)
}

impl<'a> Builder<'a> {
    /// Takes the events of a names-only object's root entry that is passed over; gives back
    /// every other event. Sets `skim.rebuild` when the file must be built whole.
    fn pass_over(&mut self, event: Event<'a>, span: Span) -> Option<Event<'a>> {
        if self.skim.frames.is_empty() {
            let value = matches!(
                event,
                Event::Scalar(..)
                    | Event::SequenceStart(..)
                    | Event::MappingStart(..)
                    | Event::Alias(_)
            );
            if !value || self.abandoned || !self.starts_pass_over() {
                return Some(event);
            }
            let Some((span, written)) = self.key_to_pass_over() else {
                self.skim.rebuild = true;
                return None;
            };
            self.forget_key();
            self.skim.root_keys.push(written);
            self.skim.start = span.start;
        }
        let skim = &mut self.skim;
        // A node of the value: a key of an open mapping passed over, or a value.
        let is_key = match skim.frames.last_mut() {
            Some(SkimFrame::Mapping { key_next, .. }) => std::mem::replace(key_next, !*key_next),
            _ => false,
        };
        match event {
            Event::Scalar(value, _, anchor, _) => {
                if anchor != 0 {
                    skim.rebuild = true;
                } else if is_key {
                    match value {
                        std::borrow::Cow::Borrowed(key) => skim.keys.push(key),
                        std::borrow::Cow::Owned(_) => skim.rebuild = true,
                    }
                }
                skim.end = span.end;
            }
            Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                let depth = self.stack.len() + skim.frames.len();
                if anchor != 0 || is_key || depth >= self.limits.nesting {
                    skim.rebuild = true;
                }
                skim.frames.push(match event {
                    Event::SequenceStart(..) => SkimFrame::Sequence,
                    _ => SkimFrame::Mapping {
                        keys: skim.keys.len(),
                        key_next: true,
                    },
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(SkimFrame::Mapping { keys, .. }) = skim.frames.pop() {
                    let open = &skim.keys[keys..];
                    if !repeats(open.len(), |i| Some(open[i])).is_empty() {
                        skim.rebuild = true;
                    }
                    skim.keys.truncate(keys);
                }
                if matches!(
                    self.text.as_bytes().get(span.start as usize),
                    Some(b'}' | b']')
                ) {
                    skim.end = span.end;
                }
            }
            _ => skim.rebuild = true,
        }
        if skim.rebuild || !skim.frames.is_empty() {
            return None;
        }
        // The entry ends with its value.
        let span = Span::new(skim.start as usize, skim.end as usize);
        self.entry_passed_over(span);
        None
    }

    /// The open root entry's key, with its text as written, when it can go with its value
    /// passed over; `None` when it is not the last node built or is anchored (it could be used
    /// elsewhere), is not a scalar as written (the root's keys are checked for repeats as
    /// written), or is a merge key (it could hold the metadata).
    fn key_to_pass_over(&self) -> Option<(Span, &'a str)> {
        let Some(&Frame::Mapping { key: Some(key), .. }) = self.stack.last() else {
            return None;
        };
        let tree = &self.file.tree;
        let span = tree.span(key);
        let written = self.text.get(span.range())?;
        if key as usize + 1 != tree.len()
            || self.anchors.values().any(|&n| n == key)
            || tree.scalar(key) != Some(written)
            || written == "<<"
        {
            return None;
        }
        Some((span, written))
    }

    /// Takes the key `key_to_pass_over` gave (the last node built) out of the tree.
    fn forget_key(&mut self) {
        self.file.tree.forget_last();
        self.expanded.pop();
    }

    /// Records a root entry passed over, from its key to its value's end; the root mapping
    /// waits for its next key.
    fn entry_passed_over(&mut self, span: Span) {
        self.skim.root_end = self.skim.root_end.max(span.end);
        if let Some(Frame::Mapping { key, .. }) = self.stack.last_mut() {
            *key = None;
        }
        self.file.passed_over.push(PassedOver {
            document: self.file.documents.len(),
            span,
        });
    }

    /// Right after the key of a names-only object's root entry that is not kept: passes over
    /// the rest of the document by its lines when they tell its root entries for sure (see
    /// `by_lines`), and closes the document as the parser would at its end, which it gives.
    fn pass_over_lines(&mut self) -> Option<usize> {
        if self.abandoned || self.skim.lines_untold || !self.starts_pass_over() {
            return None;
        }
        let (span, written) = self.key_to_pass_over()?;
        let (text, start) = (self.text, span.start as usize);
        // Lines tell the entries of a block mapping at column 0.
        let root_start = self
            .stack
            .first()
            .map(|root| self.file.tree.span(root.id()).start);
        let flow_root = root_start.and_then(|at| text.as_bytes().get(at as usize)) == Some(&b'{');
        if flow_root || !(start == 0 || text.as_bytes()[start - 1] == b'\n') {
            return None;
        }
        let keep = self.names_only.map_or(&[][..], |n| n.keep);
        let Some(rest) = by_lines::rest_of_document(text, start, written, keep) else {
            self.skim.lines_untold = true;
            return None;
        };
        self.forget_key();
        for (key, span) in rest.entries {
            self.skim.root_keys.push(key);
            self.entry_passed_over(span);
        }
        // Closing the root cannot fail: it is the only collection open.
        let end = Span::new(rest.end, rest.end);
        let _ = self.event(Event::MappingEnd, end);
        let _ = self.event(Event::DocumentEnd, end);
        Some(rest.end)
    }

    /// Whether the next event is the value of a names-only object's root entry that is not
    /// kept.
    fn starts_pass_over(&self) -> bool {
        let Some(names_only) = self.names_only else {
            return false;
        };
        if !(self.skim.api_version && self.skim.names_only) || self.stack.len() != 1 {
            return false;
        }
        let Some(Frame::Mapping { key: Some(key), .. }) = self.stack.last() else {
            return false;
        };
        self.file
            .tree
            .scalar(*key)
            .is_some_and(|key| !names_only.keep.contains(&key))
    }

    /// Notes a root `apiVersion` or `kind` value: names-only objects are known by them.
    fn note_root_value(&mut self, value: NodeId) {
        let Some(names_only) = self.names_only else {
            return;
        };
        let [Frame::Mapping { key: Some(key), .. }] = self.stack[..] else {
            return;
        };
        let tree = &self.file.tree;
        match tree.scalar(key) {
            Some("apiVersion") => self.skim.api_version = tree.string(value).is_some(),
            Some("kind") => {
                self.skim.names_only = tree
                    .string(value)
                    .is_some_and(|kind| names_only.kinds.contains(&kind));
            }
            _ => {}
        }
    }

    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), Problem> {
        match event {
            Event::DocumentStart(..) => {
                self.document = Some(ParsedDocument {
                    root: None,
                    span,
                    helm_source: None,
                });
                self.abandoned = false;
                self.alias_expansion = 0;
                self.anchors.clear();
            }
            Event::DocumentEnd => self.finish_document(span.end as usize),
            _ if self.abandoned => {}
            Event::Scalar(value, style, anchor, tag) => {
                let style = match style {
                    granit_parser::ScalarStyle::Plain => ScalarStyle::Plain,
                    granit_parser::ScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                    granit_parser::ScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                    granit_parser::ScalarStyle::Literal => ScalarStyle::Literal,
                    _ => ScalarStyle::Folded,
                };
                let tag = tag
                    .filter(|t| t.handle() == "tag:yaml.org,2002:")
                    .map(|t| t.suffix().into());
                self.expanded.push(1);
                let id = self.file.tree.push_scalar(value, style, tag, span);
                self.anchor(anchor, id);
                self.note_root_value(id);
                self.attach(id)?;
            }
            Event::SequenceStart(_, anchor, _) => {
                self.expanded.push(1);
                let id = self.file.tree.open_sequence(span);
                self.anchor(anchor, id);
                let start = self.pending_items.len();
                self.open(Frame::Sequence { id, start }, span)?;
            }
            Event::MappingStart(_, anchor, _) => {
                self.expanded.push(1);
                let id = self.file.tree.open_mapping(span);
                self.anchor(anchor, id);
                let start = self.pending_entries.len();
                self.open(
                    Frame::Mapping {
                        id,
                        start,
                        key: None,
                    },
                    span,
                )?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(span)?,
            Event::Alias(anchor) => {
                let Some(&target) = self.anchors.get(&anchor) else {
                    return Err(Problem::new(
                        ProblemKind::Syntax,
                        span,
                        "alias to an unknown anchor",
                    ));
                };
                if self.stack.iter().any(|f| f.id() == target) {
                    return Err(Problem::new(
                        ProblemKind::Unreadable,
                        span,
                        "recursive alias: the alias refers to a collection that contains it",
                    ));
                }
                let size = self.expanded[target as usize];
                self.alias_expansion = self.alias_expansion.saturating_add(size);
                if self.alias_expansion > self.limits.alias_expansion {
                    return Err(Problem::new(
                        ProblemKind::Unreadable,
                        span,
                        format!(
                            "alias expansion over the bound: this document's aliases stand for more than {} nodes (a \"billion laughs\" input?)",
                            self.limits.alias_expansion
                        ),
                    ));
                }
                self.expanded.push(size);
                let id = self.file.tree.push_alias(target, span);
                self.attach(id)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn anchor(&mut self, anchor: usize, id: NodeId) {
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
    }

    fn open(&mut self, frame: Frame, span: Span) -> Result<(), Problem> {
        if self.stack.len() >= self.limits.nesting {
            return Err(Problem::new(
                ProblemKind::Unreadable,
                span,
                format!("nesting over the bound of {} levels", self.limits.nesting),
            ));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn attach(&mut self, id: NodeId) -> Result<(), Problem> {
        let size = self.expanded[id as usize];
        match self.stack.last_mut() {
            None => {
                if let Some(document) = &mut self.document {
                    document.root = Some(id);
                }
            }
            Some(Frame::Sequence { id: parent, .. }) => {
                self.pending_items.push(id);
                let parent = *parent as usize;
                self.expanded[parent] = self.expanded[parent].saturating_add(size);
            }
            Some(Frame::Mapping {
                id: parent, key, ..
            }) => {
                match key.take() {
                    None => *key = Some(id),
                    Some(k) => self.pending_entries.push(Entry { key: k, value: id }),
                }
                let parent = *parent as usize;
                self.expanded[parent] = self.expanded[parent].saturating_add(size);
            }
        }
        Ok(())
    }

    fn close(&mut self, end_event: Span) -> Result<(), Problem> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        // A flow collection ends at its closing bracket. A block collection's end event sits
        // at the next token, possibly lines below: end it at its last child instead, so that
        // the span covers the collection and labels do not run into the following lines.
        let closes_flow = matches!(
            self.text.as_bytes().get(end_event.start as usize),
            Some(b'}' | b']')
        );
        // Entries passed over are the root's last children when they come last.
        let passed_over = if self.stack.is_empty() {
            std::mem::take(&mut self.skim.root_end)
        } else {
            0
        };
        let end = |tree: &Tree, id: NodeId, last_child: Option<NodeId>| {
            if closes_flow {
                end_event.end
            } else {
                last_child
                    .map_or(tree.span(id).end, |last| tree.span(last).end)
                    .max(passed_over)
            }
        };
        let id = match frame {
            Frame::Sequence { id, start } => {
                let items = &self.pending_items[start..];
                let end = end(&self.file.tree, id, items.last().copied());
                self.file.tree.close_sequence(id, items, end);
                self.pending_items.truncate(start);
                id
            }
            Frame::Mapping { id, start, .. } => {
                if self.stack.is_empty() && !self.skim.root_keys.is_empty() {
                    self.check_root_keys(start);
                }
                self.drop_duplicate_keys(start);
                let entries = &self.pending_entries[start..];
                let end = end(&self.file.tree, id, entries.last().map(|e| e.value));
                self.file.tree.close_mapping(id, entries, end);
                self.pending_entries.truncate(start);
                id
            }
        };
        self.attach(id)
    }

    /// Whether the root's keys repeat, those passed over among them: then the file is built
    /// whole, for the repeat to be reported and the right entry kept.
    fn check_root_keys(&mut self, start: usize) {
        let tree = &self.file.tree;
        let mut keys: Vec<&str> = std::mem::take(&mut self.skim.root_keys);
        keys.extend(
            self.pending_entries[start..]
                .iter()
                .filter_map(|e| tree.scalar(e.key)),
        );
        if !repeats(keys.len(), |i| Some(keys[i])).is_empty() {
            self.skim.rebuild = true;
        }
    }

    /// Reports every repeated key and keeps the last occurrence, as Kubernetes' decoder would
    /// if it did not reject the object outright.
    fn drop_duplicate_keys(&mut self, start: usize) {
        let entries = &self.pending_entries[start..];
        if entries.len() < 2 {
            return;
        }
        let tree = &self.file.tree;
        let duplicates = repeats(entries.len(), |i| tree.scalar(entries[i].key));
        if duplicates.is_empty() {
            return;
        }
        let mut keep = vec![true; entries.len()];
        for (previous, index) in duplicates {
            keep[previous] = false;
            let key = tree.scalar(entries[index].key).unwrap_or_default();
            let mut problem = Problem::new(
                ProblemKind::DuplicateKey,
                tree.span(entries[index].key),
                format!("duplicate key `{key}`: kubectl rejects the object (\"mapping key already defined\")"),
            )
            .with_help("keep one of the two entries; until then tools disagree on which value wins");
            problem.related.push((
                tree.span(entries[previous].key),
                format!("`{key}` first defined here"),
            ));
            problem.document = Some(self.file.documents.len());
            self.file.problems.push(problem);
        }
        let mut kept = start;
        for (offset, keep) in keep.into_iter().enumerate() {
            if keep {
                self.pending_entries[kept] = self.pending_entries[start + offset];
                kept += 1;
            }
        }
        self.pending_entries.truncate(kept);
    }

    fn finish_document(&mut self, end: usize) {
        if let Some(mut document) = self.document.take() {
            document.span.end = Span::new(0, end).end.max(document.span.start);
            if self.abandoned {
                document.root = None;
            }
            document.helm_source = self.helm_source_before(&document);
            self.file.documents.push(document);
        }
        self.stack.clear();
        self.pending_items.clear();
        self.pending_entries.clear();
        self.abandoned = false;
        self.skim.next_document();
    }

    /// Drops the partial document and records why.
    fn abandon(&mut self, problem: Problem) {
        let index = self.file.documents.len();
        self.file.problems.push(problem.in_document(index));
        let end = self.file.problems.last().map_or(0, |p| p.span.end as usize);
        self.abandoned = true;
        self.finish_document(end);
        if let Some(document) = self.file.documents.last_mut() {
            document.root = None;
        }
    }

    fn helm_source_before(&mut self, document: &ParsedDocument) -> Option<Arc<str>> {
        let from = self
            .file
            .documents
            .last()
            .map_or(0, |d| d.span.end as usize)
            .min(self.text.len());
        let to = document
            .root
            .map_or(document.span.end, |root| self.file.tree.span(root).start)
            as usize;
        let text: &'a str = self.text;
        let source = text
            .get(from..to.max(from))?
            .lines()
            .filter_map(|line| line.trim_start().strip_prefix("# Source: "))
            .next_back()?
            .trim();
        Some(Arc::clone(
            self.helm_sources
                .entry(source)
                .or_insert_with(|| source.into()),
        ))
    }
}

/// Each repeat of a key among a mapping's `len` keys (`key` of an index; `None` for one that
/// is not text): the index of the one before it and its own. Merge keys do not count. A small
/// mapping compares keys; a large one hashes them.
fn repeats<'k>(len: usize, key: impl Fn(usize) -> Option<&'k str>) -> Vec<(usize, usize)> {
    let key = |i: usize| key(i).filter(|&k| k != "<<");
    let mut last_index: HashMap<&str, usize> = HashMap::new();
    let mut found = Vec::new();
    for index in 0..len {
        let Some(this) = key(index) else {
            continue;
        };
        let previous = if len <= SMALL_MAPPING {
            (0..index).rev().find(|&i| key(i) == Some(this))
        } else {
            last_index.insert(this, index)
        };
        if let Some(previous) = previous {
            found.push((previous, index));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `a` three times among `extra` other keys: each repeat names the one before it, and
    /// the last `a` is the one kept, by the small-mapping scan and the hashed one alike.
    fn repeats(extra: usize) {
        let mut text = String::from("a: 1\nb: 2\na: 3\n");
        for i in 0..extra {
            text.push_str(&format!("k{i}: {i}\n"));
        }
        text.push_str("a: 4\n");
        let file = parse(&text, Limits::default());
        let line_of = |span: Span| text[..span.start as usize].lines().count() + 1;
        let found: Vec<(usize, usize)> = file
            .problems
            .iter()
            .filter(|p| p.kind == ProblemKind::DuplicateKey)
            .map(|p| (line_of(p.span), line_of(p.related[0].0)))
            .collect();
        let last = extra + 4;
        assert_eq!(found, [(3, 1), (last, 3)], "{extra} other keys");
        let root = file.documents[0].root.expect("a mapping");
        let entries = file.tree.entries(root);
        assert_eq!(entries.len(), extra + 2);
        let a = file.tree.get(root, "a").expect("a kept");
        assert_eq!(file.tree.scalar(a.value), Some("4"));
    }

    #[test]
    fn repeated_keys_in_small_and_large_mappings() {
        repeats(0);
        repeats(SMALL_MAPPING + 10);
    }

    #[test]
    fn placeholders_in_flow_collections_are_scalars_as_written() {
        let text =
            "targets: [vault.${DOMAIN}:8200, {url: \"https://g.${DOMAIN}\"}]\nhost: a.${X}\n";
        let file = parse(text, Limits::default());
        assert!(file.problems.is_empty(), "{:?}", file.problems);
        let root = file.documents[0].root.unwrap();
        let targets = file.tree.get(root, "targets").unwrap().value;
        let first = file.tree.items(targets)[0];
        assert_eq!(file.tree.scalar(first), Some("vault.${DOMAIN}:8200"));
        // An empty `${}` is no placeholder: its braces stay YAML's.
        let broken = parse("a: [${}, ${\n}]\n", Limits::default());
        assert!(!broken.problems.is_empty());
        // Text that parses is read as it is.
        assert_eq!(
            super::super::tree::mask_placeholders("x: ${A:-b} ${{c}}"),
            "x: $(A:-b) ${{c}}"
        );
    }
}
