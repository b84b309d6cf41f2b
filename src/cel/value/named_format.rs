//! Named string formats: the values of the Kubernetes format library (`kubernetes.NamedFormat`).
//!
//! A named format is one of a fixed set of string formats that Kubernetes validates (object
//! names, label values, UUIDs, dates…). It is made by `format.dns1123Label()` and its siblings or
//! by `format.named("dns1123Label")`, and prints as the first of those calls. What each format
//! accepts is in the library that validates with it, `stdlib::named_format`.

/// One of the named formats of the Kubernetes format library.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NamedFormat {
    /// `dns1123Label`: a DNS label as RFC 1123 allows it, in lower case (`my-name`).
    Dns1123Label,
    /// `dns1123Subdomain`: dot-separated RFC 1123 labels (`apiextensions.k8s.io`).
    Dns1123Subdomain,
    /// `dns1035Label`: a DNS label that starts with a letter (`my-name`).
    Dns1035Label,
    /// `qualifiedName`: a name with an optional DNS subdomain prefix (`example.com/MyName`).
    QualifiedName,
    /// `dns1123LabelPrefix`: a `dns1123Label` that may end with `-`, for a generated name.
    Dns1123LabelPrefix,
    /// `dns1123SubdomainPrefix`: a `dns1123Subdomain` that may end with `-`.
    Dns1123SubdomainPrefix,
    /// `dns1035LabelPrefix`: a `dns1035Label` that may end with `-`.
    Dns1035LabelPrefix,
    /// `labelValue`: a label value, possibly empty (`my_value`).
    LabelValue,
    /// `uri`: an absolute URI or an absolute path, as `url()` reads them.
    Uri,
    /// `uuid`: 32 hexadecimal digits, grouped 8-4-4-4-12 (`123e4567-e89b-12d3-a456-426614174000`).
    Uuid,
    /// `byte`: standard base64 with padding (`aGVsbG8=`).
    Byte,
    /// `date`: a calendar date, `YYYY-MM-DD`.
    Date,
    /// `datetime`: an RFC 3339 date-time (`2021-01-01T00:00:00Z`).
    Datetime,
}

impl NamedFormat {
    /// Every named format, in the order Kubernetes lists them.
    pub const ALL: [NamedFormat; 13] = [
        NamedFormat::Dns1123Label,
        NamedFormat::Dns1123Subdomain,
        NamedFormat::Dns1035Label,
        NamedFormat::QualifiedName,
        NamedFormat::Dns1123LabelPrefix,
        NamedFormat::Dns1123SubdomainPrefix,
        NamedFormat::Dns1035LabelPrefix,
        NamedFormat::LabelValue,
        NamedFormat::Uri,
        NamedFormat::Uuid,
        NamedFormat::Byte,
        NamedFormat::Date,
        NamedFormat::Datetime,
    ];

    /// The name `format.named` knows it by (`"dns1123Label"`).
    #[must_use]
    pub fn name(self) -> &'static str {
        self.names().0
    }

    /// The function that makes it (`"format.dns1123Label"`).
    #[must_use]
    pub fn function(self) -> &'static str {
        self.names().1
    }

    /// The id of that function's overload (`"format_dns1123_label"`).
    pub(crate) fn overload_id(self) -> &'static str {
        self.names().2
    }

    /// The format called `name`, if there is one (names are case-sensitive).
    #[must_use]
    pub fn from_name(name: &str) -> Option<NamedFormat> {
        NamedFormat::ALL.into_iter().find(|f| f.name() == name)
    }

    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            NamedFormat::Dns1123Label => ("dns1123Label", "format.dns1123Label", "format_dns1123_label"),
            NamedFormat::Dns1123Subdomain => {
                ("dns1123Subdomain", "format.dns1123Subdomain", "format_dns1123_subdomain")
            }
            NamedFormat::Dns1035Label => ("dns1035Label", "format.dns1035Label", "format_dns1035_label"),
            NamedFormat::QualifiedName => ("qualifiedName", "format.qualifiedName", "format_qualified_name"),
            NamedFormat::Dns1123LabelPrefix => {
                ("dns1123LabelPrefix", "format.dns1123LabelPrefix", "format_dns1123_label_prefix")
            }
            NamedFormat::Dns1123SubdomainPrefix => {
                ("dns1123SubdomainPrefix", "format.dns1123SubdomainPrefix", "format_dns1123_subdomain_prefix")
            }
            NamedFormat::Dns1035LabelPrefix => {
                ("dns1035LabelPrefix", "format.dns1035LabelPrefix", "format_dns1035_label_prefix")
            }
            NamedFormat::LabelValue => ("labelValue", "format.labelValue", "format_label_value"),
            NamedFormat::Uri => ("uri", "format.uri", "format_uri"),
            NamedFormat::Uuid => ("uuid", "format.uuid", "format_uuid"),
            NamedFormat::Byte => ("byte", "format.byte", "format_byte"),
            NamedFormat::Date => ("date", "format.date", "format_date"),
            NamedFormat::Datetime => ("datetime", "format.datetime", "format_datetime"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_agree() {
        for f in NamedFormat::ALL {
            assert_eq!(NamedFormat::from_name(f.name()), Some(f));
            assert_eq!(f.function().strip_prefix("format."), Some(f.name()));
        }
        assert_eq!(NamedFormat::from_name("DNS1123Label"), None);
        assert_eq!(NamedFormat::from_name(""), None);
    }
}
