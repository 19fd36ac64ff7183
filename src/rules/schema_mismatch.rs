//! A known kind has a field of the wrong type, a field the kind does not have, or a plain
//! scalar that Kubernetes reads as a bool or number where a string is required.
//!
//! ## Why
//! Kubernetes reads YAML the YAML 1.1 way: unquoted `on`, `yes`, `n`, `true`, `8080` are not
//! strings. In a string field (an annotation value, an env value) the API server rejects the
//! object. Unknown fields (`nodeSelectr`) are dropped silently or rejected by strict
//! validation. The object is still used as far as it reads: the bad field is read as absent.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   annotations:
//!     nginx.ingress.kubernetes.io/ssl-redirect: true   # must be "true"
//! spec:
//!   ports:
//!   - port: eighty                                     # must be an integer
//! ```
//!
//! ## Fix
//! Quote string values (`"true"`), give numbers as numbers, and correct misspelled keys.
use crate::findings::Finding;
use manifest::ProblemKind;

use super::{rule_info, Context, Rule, RuleInfo};

pub struct SchemaMismatch;

impl Rule for SchemaMismatch {
    fn info(&self) -> RuleInfo {
        rule_info!("schema-mismatch", Warning, "schema_mismatch.rs")
    }

    fn check(&self, context: &Context<'_>, out: &mut Vec<Finding>) {
        context.problem_findings(ProblemKind::SchemaMismatch, &self.info(), out);
    }
}
