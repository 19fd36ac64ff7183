//! The closed sets the data in `rules/` draws from. A value outside its set fails when the
//! data loads, with its file and line, instead of silently matching nothing in a rule.

/// An enum read from and written as the listed text.
macro_rules! closed_set {
    ($(#[$meta:meta])* $name:ident { $($(#[$doc:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize,
            serde::Serialize,
        )]
        pub enum $name {
            $($(#[$doc])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

closed_set! {
    /// Whether a controller is still developed.
    Lifecycle {
        Maintained = "maintained",
        Retired = "retired",
    }
}

closed_set! {
    /// Who carries the traffic: the controller's pods, or the cloud load balancers it makes.
    Traffic {
        InCluster = "in-cluster",
        Cloud = "cloud",
    }
}

closed_set! {
    /// What an image or a listen port belongs to.
    Role {
        Controller = "controller",
        DataPlane = "data-plane",
    }
}

closed_set! {
    /// Where ingress-nginx applies an annotation.
    Scope {
        Location = "location",
        Ingress = "ingress",
        /// Removed keys apply nowhere.
        None = "none",
    }
}

closed_set! {
    /// ingress-nginx's annotation risk levels (annotations-risk.md).
    Risk {
        Low = "Low",
        Medium = "Medium",
        High = "High",
        Critical = "Critical",
        None = "none",
    }
}

closed_set! {
    /// Whether ingress-nginx still reads an annotation.
    AnnotationStatus {
        Active = "active",
        /// Read only at a risk level the controller allows.
        Restricted = "restricted",
        Obsolete = "obsolete",
        Alias = "alias",
        Removed = "removed",
    }
}

closed_set! {
    /// How an annotation carries over to a target, best first.
    Verdict {
        Exact = "exact",
        Partial = "partial",
        /// Needs the target's own resources (a CRD).
        Crd = "crd",
        None = "none",
        /// Nothing is known of the key.
        Unknown = "unknown",
    }
}

closed_set! {
    /// Traefik's ingress-nginx provider's support for an annotation.
    ProviderSupport {
        Supported = "supported",
        Unsupported = "unsupported",
        NotListed = "not-listed",
        ParsedHookOnly = "parsed-hook-only",
        ListedNotImplemented = "listed-not-implemented",
    }
}

closed_set! {
    /// Whether a load-balancer provider still honours `spec.loadBalancerIP`.
    Honours {
        Yes = "true",
        No = "false",
        Unknown = "unknown",
    }
}

closed_set! {
    /// The conformance level of the Gateway API feature a key maps to, as the CRDs of the
    /// standard channel (v1.6.1) document it in each field's "Support:" line.
    GatewaySupport {
        Core = "core",
        Extended = "extended",
        /// A standard field whose behaviour each implementation defines (regex dialects).
        ImplementationSpecific = "implementation-specific",
        /// Only in the experimental channel's CRDs: not installed by the standard bundle.
        Experimental = "experimental",
    }
}
