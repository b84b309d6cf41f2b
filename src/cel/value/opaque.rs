//! Library values that have no literal syntax: IP addresses and CIDR prefixes (the Kubernetes
//! `net.IP` and `net.CIDR`), Kubernetes resource quantities, URLs and named formats.
//!
//! They are made by their library's functions (`ip("10.0.0.1")`, `cidr("10.0.0.0/8")`,
//! `quantity("1Gi")`, `format.uuid()`), compared with `==`, and printed as that call. One [`Value::Opaque`]
//! variant holds them all, behind an `Arc`, so that they add nothing to the size of a
//! [`Value`](super::Value).

use std::fmt::{self, Write as _};
use std::net::IpAddr;
use std::sync::Arc;

use super::named_format::NamedFormat;
use super::quantity::Quantity;

/// The kind of an [`Opaque`] value, which is its CEL type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OpaqueKind {
    /// `net.IP`: an IPv4 or IPv6 address.
    Ip,
    /// `net.CIDR`: an address with a prefix length.
    Cidr,
    /// `kubernetes.Quantity`: a Kubernetes resource quantity (`"1Gi"`, `"250m"`).
    Quantity,
    /// `kubernetes.URL`: an absolute URI or an absolute path.
    Url,
    /// `kubernetes.NamedFormat`: a string format of the Kubernetes format library.
    NamedFormat,
}

impl OpaqueKind {
    /// The CEL name of the type.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            OpaqueKind::Ip => "net.IP",
            OpaqueKind::Cidr => "net.CIDR",
            OpaqueKind::Quantity => "kubernetes.Quantity",
            OpaqueKind::Url => "kubernetes.URL",
            OpaqueKind::NamedFormat => "kubernetes.NamedFormat",
        }
    }

    /// The kind whose CEL type name is `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<OpaqueKind> {
        [OpaqueKind::Ip, OpaqueKind::Cidr, OpaqueKind::Quantity, OpaqueKind::Url, OpaqueKind::NamedFormat]
            .into_iter()
            .find(|k| k.name() == name)
    }
}

/// An address with a prefix length: `10.0.0.1/8` (the address need not be masked).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cidr {
    /// The address as written.
    pub(crate) addr: IpAddr,
    /// The prefix length, at most 32 for IPv4 and 128 for IPv6.
    pub(crate) bits: u8,
}

/// An IP address, a CIDR prefix, a quantity, a URL or a named format, shared.
#[derive(Clone)]
pub struct Opaque(Arc<OpaqueRepr>);

#[derive(Debug, PartialEq)]
pub(crate) enum OpaqueRepr {
    Ip(IpAddr),
    Cidr(Cidr),
    Quantity(Quantity),
    Url(super::Url),
    NamedFormat(NamedFormat),
}

impl Opaque {
    pub(crate) fn new(repr: OpaqueRepr) -> Opaque {
        Opaque(Arc::new(repr))
    }

    /// Its kind (its CEL type).
    #[must_use]
    pub fn kind(&self) -> OpaqueKind {
        match &*self.0 {
            OpaqueRepr::Ip(_) => OpaqueKind::Ip,
            OpaqueRepr::Cidr(_) => OpaqueKind::Cidr,
            OpaqueRepr::Quantity(_) => OpaqueKind::Quantity,
            OpaqueRepr::Url(_) => OpaqueKind::Url,
            OpaqueRepr::NamedFormat(_) => OpaqueKind::NamedFormat,
        }
    }

    /// The address, if this is an IP address.
    #[must_use]
    pub fn as_ip(&self) -> Option<IpAddr> {
        match &*self.0 {
            OpaqueRepr::Ip(a) => Some(*a),
            _ => None,
        }
    }

    pub(crate) fn as_cidr(&self) -> Option<Cidr> {
        match &*self.0 {
            OpaqueRepr::Cidr(c) => Some(*c),
            _ => None,
        }
    }

    /// The URL, if this is one.
    #[must_use]
    pub fn as_url(&self) -> Option<&super::Url> {
        match &*self.0 {
            OpaqueRepr::Url(u) => Some(u),
            _ => None,
        }
    }

    /// The named format, if this is one.
    #[must_use]
    pub fn as_named_format(&self) -> Option<NamedFormat> {
        match &*self.0 {
            OpaqueRepr::NamedFormat(f) => Some(*f),
            _ => None,
        }
    }

    pub(crate) fn as_quantity(&self) -> Option<&Quantity> {
        match &*self.0 {
            OpaqueRepr::Quantity(q) => Some(q),
            _ => None,
        }
    }
}

impl PartialEq for Opaque {
    /// Addresses and prefixes are equal when written alike (after parsing); quantities when
    /// their amounts are (`quantity("1k") == quantity("1000")`); named formats when they are
    /// the same format.
    fn eq(&self, other: &Opaque) -> bool {
        match (&*self.0, &*other.0) {
            (OpaqueRepr::Quantity(a), OpaqueRepr::Quantity(b)) => a.cmp_amount(b).is_eq(),
            (a, b) => a == b,
        }
    }
}

impl fmt::Debug for Opaque {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Opaque {
    /// The call that makes the value: `ip("10.0.0.1")`, `cidr("10.0.0.0/8")`, `quantity("1Gi")`,
    /// `format.uuid()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            OpaqueRepr::Ip(a) => write!(f, "ip(\"{a}\")"),
            OpaqueRepr::Cidr(c) => write!(f, "cidr(\"{}/{}\")", c.addr, c.bits),
            OpaqueRepr::Quantity(q) => write!(f, "quantity(\"{q}\")"),
            OpaqueRepr::Url(u) => {
                f.write_str("url(\"")?;
                for c in u.as_str().chars() {
                    if matches!(c, '"' | '\\') {
                        f.write_char('\\')?;
                    }
                    f.write_char(c)?;
                }
                f.write_str("\")")
            }
            OpaqueRepr::NamedFormat(n) => write!(f, "{}()", n.function()),
        }
    }
}
