//! Reviewed snapshots of what a person sees: `check` human output and `explain`.

mod common;

use common::run;

#[test]
fn human_output_bad_input() {
    let run = run(&["check", "fixtures/bad-input", "--color", "never"]);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn human_output_demo() {
    let run = run(&["check", "fixtures/demo", "--color", "never"]);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn explain_lists_every_rule() {
    insta::assert_snapshot!(run(&["explain"]).stdout);
}

#[test]
fn explain_prints_a_rules_documentation() {
    insta::assert_snapshot!(run(&["explain", "load-balancer-ip-deprecated"]).stdout);
    let unknown = run(&["explain", "load-balancer-ip-deprecate"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown
            .stderr
            .contains("did you mean `load-balancer-ip-deprecated`"),
        "{}",
        unknown.stderr
    );
}
