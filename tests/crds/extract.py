#!/usr/bin/env python3
"""Extracts the schemas `convert` output is validated against (tests/convert.rs) from the
CRD bundles of shared/reference/crds/ (see its README for their sources and sha256), one
JSON file per group/kind/version, with `description` fields dropped to keep them small.

usage: tests/crds/extract.py ../shared/reference/crds
"""
import json, pathlib, sys, yaml

WANTED = {
    "gateway-api-standard-v1.6.1.yaml": [
        ("Gateway", "v1"), ("HTTPRoute", "v1"), ("GRPCRoute", "v1"), ("TLSRoute", "v1"),
        ("BackendTLSPolicy", "v1"), ("ReferenceGrant", "v1"),
    ],
    "traefik-crds-v41.3.0.yaml": [("Middleware", "v1alpha1"), ("ServersTransport", "v1alpha1"), ("IngressRoute", "v1alpha1"), ("TraefikService", "v1alpha1"), ("TLSOption", "v1alpha1"), ("IngressRouteTCP", "v1alpha1")],
    "kong-crds-3.4.1.yaml": [("KongPlugin", "v1")],
    "envoy-gateway-crds-v1.9.0.yaml": [("SecurityPolicy", "v1alpha1"), ("BackendTrafficPolicy", "v1alpha1")],
    "ngf-crds-v2.6.7.yaml": [("ProxySettingsPolicy", "v1alpha1"), ("ClientSettingsPolicy", "v1alpha1"), ("RateLimitPolicy", "v1alpha1")],
    "f5-nginx-crds-v5.5.4.yaml": [("Policy", "v1"), ("VirtualServer", "v1")],
}

def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node

out = pathlib.Path(__file__).parent
for bundle, kinds in WANTED.items():
    docs = [d for d in yaml.safe_load_all(open(pathlib.Path(sys.argv[1]) / bundle))
            if d and d.get("kind") == "CustomResourceDefinition"]
    for kind, version in kinds:
        crd = next(d for d in docs if d["spec"]["names"]["kind"] == kind)
        schema = next(v for v in crd["spec"]["versions"] if v["name"] == version)["schema"]["openAPIV3Schema"]
        name = f'{crd["spec"]["group"]}_{kind}_{version}.json'
        (out / name).write_text(json.dumps({"source": bundle, "group": crd["spec"]["group"], "kind": kind,
                                            "version": version, "schema": strip(schema)}, sort_keys=True) + "\n")
        print(name)
