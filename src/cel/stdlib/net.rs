//! The Kubernetes IP and CIDR libraries: `ip()`, `cidr()`, `isIP`, `isCIDR`,
//! `ip.isCanonical`, the address tests, prefix containment, `masked`, `prefixLength` and
//! `string()` of both types (`net.IP`, `net.CIDR`).
//!
//! Addresses are parsed by the standard library's [`IpAddr`] parser, which accepts the usual
//! dotted-quad and RFC 4291 forms and refuses IPv4 octets with leading zeros and zone suffixes
//! (`%eth0`). As in Kubernetes, IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) are refused too, so
//! that one address has one family. A prefix keeps the address as written: `masked()` clears
//! its host bits. The address tests follow Go's `net/netip` (what Kubernetes runs): private
//! addresses are global unicast, and so is `255.255.255.254` but not the broadcast address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::cost::read_receiver;
use super::{Fn1, Impl, Overload, global, method, no_such_overload};
use crate::cel::types::Type;
use crate::cel::value::{Cidr, EvalError, Opaque, OpaqueKind, OpaqueRepr, Value};

fn ip_type() -> Type {
    Type::Opaque(OpaqueKind::Ip)
}

fn cidr_type() -> Type {
    Type::Opaque(OpaqueKind::Cidr)
}

pub(super) fn declare(out: &mut Vec<Overload>) {
    use Type::{Bool, Int, String};
    let (ip, cidr) = (ip_type, cidr_type);
    out.extend([
        global("string_to_ip", "ip", vec![String], ip(), Impl::F1(to_ip)).priced(read_receiver),
        global("cidr_to_ip", "ip", vec![cidr()], ip(), Impl::F1(cidr_ip)),
        global("is_ip_string", "isIP", vec![String], Bool, Impl::F1(is_ip)).priced(read_receiver),
        global("ip_is_canonical_string", "ip.isCanonical", vec![String], Bool, Impl::F1(is_canonical))
            .priced(read_receiver),
        global("string_to_cidr", "cidr", vec![String], cidr(), Impl::F1(to_cidr)).priced(read_receiver),
        global("is_cidr_string", "isCIDR", vec![String], Bool, Impl::F1(is_cidr)).priced(read_receiver),
        global("ip_to_string", "string", vec![ip()], String, Impl::F1(to_string)),
        global("cidr_to_string", "string", vec![cidr()], String, Impl::F1(to_string)),
        method("ip_family", "family", vec![ip()], Int, Impl::F1(family)),
        method("cidr_contains_ip_ip", "containsIP", vec![cidr(), ip()], Bool, Impl::F2(contains_ip)),
        method("cidr_contains_ip_string", "containsIP", vec![cidr(), String], Bool, Impl::F2(contains_ip))
            .priced(super::cost::read_receiver_arg),
        method(
            "cidr_contains_cidr_cidr",
            "containsCIDR",
            vec![cidr(), cidr()],
            Bool,
            Impl::F2(contains_cidr),
        ),
        method(
            "cidr_contains_cidr_string",
            "containsCIDR",
            vec![cidr(), String],
            Bool,
            Impl::F2(contains_cidr),
        )
        .priced(super::cost::read_receiver_arg),
        method("cidr_ip", "ip", vec![cidr()], ip(), Impl::F1(cidr_ip)),
        method("cidr_masked", "masked", vec![cidr()], cidr(), Impl::F1(masked)),
        method("cidr_prefix_length", "prefixLength", vec![cidr()], Int, Impl::F1(prefix_length)),
    ]);
    for (id, name, imp) in [
        ("ip_is_unspecified", "isUnspecified", is_unspecified as Fn1),
        ("ip_is_loopback", "isLoopback", is_loopback),
        ("ip_is_link_local_multicast", "isLinkLocalMulticast", link_local_multicast),
        ("ip_is_link_local_unicast", "isLinkLocalUnicast", link_local_unicast),
        ("ip_is_global_unicast", "isGlobalUnicast", global_unicast),
    ] {
        out.push(method(id, name, vec![ip()], Bool, Impl::F1(imp)));
    }
}

/// Parses an address as Kubernetes does.
fn parse_ip(text: &str) -> Result<IpAddr, String> {
    let addr: IpAddr = text.parse().map_err(|_| format!("invalid IP address `{text}`"))?;
    if let IpAddr::V6(v6) = addr
        && v6.to_ipv4_mapped().is_some()
    {
        return Err(format!("IPv4-mapped IPv6 address `{text}` is not allowed"));
    }
    Ok(addr)
}

/// Parses `address/bits`.
fn parse_cidr(text: &str) -> Result<Cidr, String> {
    let bad = || format!("invalid CIDR `{text}`: expected an address, `/` and a prefix length");
    let (addr, bits) = text.split_once('/').ok_or_else(bad)?;
    let addr = parse_ip(addr).map_err(|e| format!("invalid CIDR `{text}`: {e}"))?;
    let canonical_number = !bits.is_empty()
        && bits.len() <= 3
        && bits.bytes().all(|b| b.is_ascii_digit())
        && (bits == "0" || !bits.starts_with('0'));
    let bits: u8 = if canonical_number { bits.parse().map_err(|_| bad())? } else { return Err(bad()) };
    if bits > max_bits(addr) {
        return Err(format!("invalid CIDR `{text}`: the prefix length is more than {}", max_bits(addr)));
    }
    Ok(Cidr { addr, bits })
}

fn max_bits(addr: IpAddr) -> u8 {
    if addr.is_ipv4() { 32 } else { 128 }
}

fn string_arg<'v>(function: &str, v: &'v Value<'_>) -> Result<&'v str, EvalError> {
    v.as_str().ok_or_else(|| no_such_overload(function, &[v]))
}

fn ip_arg(function: &str, v: &Value<'_>) -> Result<IpAddr, EvalError> {
    match v {
        Value::Opaque(o) => o.as_ip(),
        _ => None,
    }
    .ok_or_else(|| no_such_overload(function, &[v]))
}

fn cidr_arg(function: &str, v: &Value<'_>) -> Result<Cidr, EvalError> {
    match v {
        Value::Opaque(o) => o.as_cidr(),
        _ => None,
    }
    .ok_or_else(|| no_such_overload(function, &[v]))
}

fn ip_value(addr: IpAddr) -> Value<'static> {
    Value::Opaque(Opaque::new(OpaqueRepr::Ip(addr)))
}

fn cidr_value(c: Cidr) -> Value<'static> {
    Value::Opaque(Opaque::new(OpaqueRepr::Cidr(c)))
}

fn to_ip<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    parse_ip(string_arg("ip", v)?).map(ip_value).map_err(EvalError::invalid_argument)
}

fn is_ip<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(Value::Bool(parse_ip(string_arg("isIP", v)?).is_ok()))
}

/// Whether the text is an address written the way it prints (RFC 5952 for IPv6: lower case,
/// the longest run of zero groups shortened).
fn is_canonical<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let text = string_arg("ip.isCanonical", v)?;
    let addr = parse_ip(text).map_err(EvalError::invalid_argument)?;
    Ok(Value::Bool(addr.to_string() == text))
}

fn to_cidr<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    parse_cidr(string_arg("cidr", v)?).map(cidr_value).map_err(EvalError::invalid_argument)
}

fn is_cidr<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(Value::Bool(parse_cidr(string_arg("isCIDR", v)?).is_ok()))
}

/// The address as text (`string(ip)`), or the prefix (`string(cidr)`).
fn to_string<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    match v {
        Value::Opaque(o) => match (o.as_ip(), o.as_cidr()) {
            (Some(a), _) => Ok(Value::string(a.to_string())),
            (_, Some(c)) => Ok(Value::string(format!("{}/{}", c.addr, c.bits))),
            _ => Err(no_such_overload("string", &[v])),
        },
        _ => Err(no_such_overload("string", &[v])),
    }
}

fn family<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(Value::Int(if ip_arg("family", v)?.is_ipv4() { 4 } else { 6 }))
}

/// Defines an address test method.
macro_rules! address_test {
    ($name:ident, $method:literal, $test:expr) => {
        fn $name<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
            Ok(Value::Bool($test(ip_arg($method, v)?)))
        }
    };
}

address_test!(is_unspecified, "isUnspecified", |a: IpAddr| a.is_unspecified());
address_test!(is_loopback, "isLoopback", |a: IpAddr| a.is_loopback());
address_test!(link_local_multicast, "isLinkLocalMulticast", is_link_local_multicast);
address_test!(link_local_unicast, "isLinkLocalUnicast", is_link_local_unicast);
address_test!(global_unicast, "isGlobalUnicast", is_global_unicast);

/// `224.0.0.0/24` and `ff02::/16` (whatever the flags).
fn is_link_local_multicast(a: IpAddr) -> bool {
    match a {
        IpAddr::V4(v4) => matches!(v4.octets(), [224, 0, 0, _]),
        IpAddr::V6(v6) => v6.segments()[0] & 0xff0f == 0xff02,
    }
}

/// `169.254.0.0/16` and `fe80::/10`.
fn is_link_local_unicast(a: IpAddr) -> bool {
    match a {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => v6.segments()[0] & 0xffc0 == 0xfe80,
    }
}

/// Neither unspecified, loopback, multicast, link-local unicast nor the IPv4 broadcast address.
fn is_global_unicast(a: IpAddr) -> bool {
    let special = match a {
        IpAddr::V4(v4) => v4 == Ipv4Addr::BROADCAST || v4.is_multicast(),
        IpAddr::V6(v6) => v6.is_multicast(),
    };
    !(special || a.is_unspecified() || a.is_loopback() || is_link_local_unicast(a))
}

/// `addr` with all but its first `bits` bits cleared.
fn mask(addr: IpAddr, bits: u8) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => {
            let m = u32::MAX.checked_shl(32 - u32::from(bits.min(32))).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(v4) & m))
        }
        IpAddr::V6(v6) => {
            let m = u128::MAX.checked_shl(128 - u32::from(bits.min(128))).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & m))
        }
    }
}

/// Whether `inner` (an address and its prefix length) lies inside `outer`.
fn inside(outer: Cidr, addr: IpAddr, bits: u8) -> bool {
    addr.is_ipv4() == outer.addr.is_ipv4()
        && bits >= outer.bits
        && mask(addr, outer.bits) == mask(outer.addr, outer.bits)
}

fn contains_ip<'a>(c: &Value<'a>, x: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let outer = cidr_arg("containsIP", c)?;
    let addr = match x.as_str() {
        Some(text) => parse_ip(text).map_err(EvalError::invalid_argument)?,
        None => ip_arg("containsIP", x)?,
    };
    Ok(Value::Bool(inside(outer, addr, max_bits(addr))))
}

fn contains_cidr<'a>(c: &Value<'a>, x: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let outer = cidr_arg("containsCIDR", c)?;
    let other = match x.as_str() {
        Some(text) => parse_cidr(text).map_err(EvalError::invalid_argument)?,
        None => cidr_arg("containsCIDR", x)?,
    };
    Ok(Value::Bool(inside(outer, other.addr, other.bits)))
}

/// The address of a prefix, as written (not masked).
fn cidr_ip<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(ip_value(cidr_arg("ip", v)?.addr))
}

fn masked<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let c = cidr_arg("masked", v)?;
    Ok(cidr_value(Cidr { addr: mask(c.addr, c.bits), bits: c.bits }))
}

fn prefix_length<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    Ok(Value::Int(i64::from(cidr_arg("prefixLength", v)?.bits)))
}
