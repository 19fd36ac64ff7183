//! Shared by the three `annotation-*-on-target` rules: findings for the translated
//! annotations with one verdict.

use crate::findings::Finding;
use crate::knowledge::sets::Verdict;

use super::{Context, RuleInfo};

pub fn report(
    context: &Context<'_>,
    info: &RuleInfo,
    verdict: Verdict,
    phrase: &str,
    out: &mut Vec<Finding>,
) {
    let Some(translation) = &context.translation else {
        return;
    };
    for item in translation.items.iter().filter(|i| i.verdict == verdict) {
        let view = context.view(item.ingress);
        let message = format!(
            "{}: `{}` {phrase} {}",
            view.reference(),
            item.key,
            translation.target
        );
        let mut help = match &item.target_form {
            Some(form) => format!("target form: {form}"),
            None => format!("nothing on {} does this", translation.target),
        };
        if !item.note.is_empty() {
            help.push_str(&format!(". {}", item.note));
        }
        if let Some(source) = context
            .knowledge
            .target_source(&item.sources, &translation.target)
        {
            help.push_str(&format!(". Source: {source}"));
        }
        out.push(view.finding(info, item.key_span, message).help(help));
    }
}
