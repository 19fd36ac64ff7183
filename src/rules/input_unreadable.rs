//! An input cannot be read safely: unreadable, not UTF-8, over the size cap, alias expansion
//! or nesting over a bound.
//!
//! ## Why
//! Kubernetes manifests are UTF-8 text of reasonable size. A file that is not, or a document
//! whose anchors expand exponentially ("billion laughs"), is skipped with this finding so the
//! run stays fast and the other files are still checked.
//!
//! ## Example
//! ```yaml
//! a: &a [x, x, x, x, x, x, x, x, x]
//! b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
//! c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]   # … and so on
//! ```
//!
//! ## Fix
//! Re-encode the file as UTF-8, split or exclude huge generated files (`--exclude`, or raise
//! `--max-file-size`), and remove alias chains.
use crate::findings::Finding;
use manifest::ProblemKind;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct InputUnreadable;

impl Rule for InputUnreadable {
    fn info(&self) -> RuleInfo {
        rule_info!("input-unreadable", Error, "input_unreadable.rs")
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        context.problem_findings(ProblemKind::Unreadable, &self.info(), out);
    }
}
