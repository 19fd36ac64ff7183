//! Every rule, in the order `explain` lists them. Adding a rule: one file and one line here.

use super::*;

static RULES: &[&dyn Rule] = &[
    &yaml_syntax::YamlSyntax,
    &yaml_duplicate_key::YamlDuplicateKey,
    &input_unreadable::InputUnreadable,
    &helm_template_unrendered::HelmTemplateUnrendered,
    &helm_release_unresolved::HelmReleaseUnresolved,
    &template_placeholders::TemplatePlaceholders,
    &kustomization_unresolved::KustomizationUnresolved,
    &suppression_unused::SuppressionUnused,
    &object_duplicated::ObjectDuplicated,
    &schema_mismatch::SchemaMismatch,
    &ingress_api_removed::IngressApiRemoved,
    &ingress_class_annotation_deprecated::IngressClassAnnotationDeprecated,
    &ingress_class_mismatch::IngressClassMismatch,
    &ingress_class_undefined::IngressClassUndefined,
    &ingress_class_missing::IngressClassMissing,
    &default_ingress_class_multiple::DefaultIngressClassMultiple,
    &ingress_class_contested::IngressClassContested,
    &ingress_host_path_duplicate::IngressHostPathDuplicate,
    &controller_retired::ControllerRetired,
    &controller_snippets_allowed::ControllerSnippetsAllowed,
    &annotation_foreign_controller::AnnotationForeignController,
    &annotation_unknown::AnnotationUnknown,
    &annotation_snippet::AnnotationSnippet,
    &annotation_removed::AnnotationRemoved,
    &annotation_value_invalid::AnnotationValueInvalid,
    &annotation_unsupported_on_target::AnnotationUnsupportedOnTarget,
    &annotation_partial_on_target::AnnotationPartialOnTarget,
    &annotation_crd_on_target::AnnotationCrdOnTarget,
    &load_balancer_ip_deprecated::LoadBalancerIpDeprecated,
    &load_balancer_ip_shared::LoadBalancerIpShared,
    &load_balancer_source_ip::LoadBalancerSourceIp,
    &cloud_ingress_nodeport_backends::CloudIngressNodeportBackends,
    &host_port_clash::HostPortClash,
    &host_network_port_clash::HostNetworkPortClash,
    &host_network_dns_policy::HostNetworkDnsPolicy,
];

pub fn registry() -> &'static [&'static dyn Rule] {
    RULES
}

pub fn find(id: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.info().id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let mut ids: Vec<&str> = registry().iter().map(|r| r.info().id).collect();
        for rule in registry() {
            let info = rule.info();
            assert!(
                info.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                info.id
            );
            let doc = info.doc();
            for section in ["## Why", "## Example", "## Fix"] {
                assert!(doc.contains(section), "{}: doc lacks {section}", info.id);
            }
            assert!(!info.summary().is_empty(), "{}", info.id);
        }
        ids.sort();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len());
    }
}
