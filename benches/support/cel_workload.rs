//! The CEL bench workload, shared by `benches/cel.rs` (wall time) and `examples/cel_loop.rs`
//! (instruction counts): a `change` host object with ten services, and the expressions over it.

use std::sync::{Arc, OnceLock};

use changeguard::cel::{HostList, List, Object, ObjectType, Type, Value};

pub(crate) fn service_type() -> &'static Arc<ObjectType> {
    static TYPE: OnceLock<Arc<ObjectType>> = OnceLock::new();
    TYPE.get_or_init(|| {
        Arc::new(ObjectType::new("bench.Service").field("name", Type::String).field("tier", Type::Int))
    })
}

pub(crate) fn change_type() -> &'static Arc<ObjectType> {
    static TYPE: OnceLock<Arc<ObjectType>> = OnceLock::new();
    TYPE.get_or_init(|| {
        Arc::new(
            ObjectType::new("bench.Change")
                .field("environment", Type::String)
                .field("title", Type::String)
                .field("version", Type::String)
                .field("lines_added", Type::Int)
                .field("lines_removed", Type::Int)
                .field("services", Type::list(Type::object(service_type()))),
        )
    })
}

struct Service {
    name: String,
    tier: i64,
}

impl Object for Service {
    fn object_type(&self) -> &ObjectType {
        service_type()
    }

    fn field(&self, index: usize) -> Option<Value<'_>> {
        match index {
            0 => Some(Value::str(&self.name)),
            1 => Some(Value::Int(self.tier)),
            _ => None,
        }
    }
}

struct Services(Vec<Service>);

impl HostList for Services {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn get(&self, index: usize) -> Option<Value<'_>> {
        self.0.get(index).map(|s| Value::Object(s))
    }
}

pub(crate) struct Change {
    environment: String,
    title: String,
    version: String,
    lines_added: i64,
    lines_removed: i64,
    services: Services,
}

impl Object for Change {
    fn object_type(&self) -> &ObjectType {
        change_type()
    }

    fn field(&self, index: usize) -> Option<Value<'_>> {
        match index {
            0 => Some(Value::str(&self.environment)),
            1 => Some(Value::str(&self.title)),
            2 => Some(Value::str(&self.version)),
            3 => Some(Value::Int(self.lines_added)),
            4 => Some(Value::Int(self.lines_removed)),
            5 => Some(Value::List(List::host(&self.services))),
            _ => None,
        }
    }
}

pub(crate) fn sample() -> Change {
    Change {
        environment: "production".to_owned(),
        title: "feat(checkout): retry payment authorisation".to_owned(),
        version: "1.5.2".to_owned(),
        lines_added: 240,
        lines_removed: 35,
        // The service that matches comes last, so `exists` visits all ten.
        services: Services(
            (0..10)
                .map(|i| Service { name: format!("service-{i}"), tier: if i == 9 { 0 } else { 2 } })
                .collect(),
        ),
    }
}

/// (name, expression), each evaluating to `true` over [`sample`].
pub(crate) const EXPRESSIONS: [(&str, &str); 11] = [
    ("field_eq", r#"change.environment == "production""#),
    ("exists_10", "change.services.exists(s, s.tier == 0)"),
    ("regex", r#"change.title.matches("^(feat|fix|chore)\\([a-z-]+\\): .+")"#),
    ("semver", r#"semver(change.version).isGreaterThan(semver("1.4.0"))"#),
    ("in_list", r#"change.environment in ["production", "prod", "live", "prd"]"#),
    ("arithmetic", "change.lines_added + change.lines_removed * 2 - 10 > 250"),
    (
        "strings_ext",
        r#"change.title.substring(0, 4).upperAscii() == "FEAT" && change.title.lastIndexOf("(") == 4"#,
    ),
    (
        "format",
        r#""%s v%s: %d lines".format([change.environment, change.version, change.lines_added]) == "production v1.5.2: 240 lines""#,
    ),
    ("encoders", "base64.decode(base64.encode(bytes(change.title))) == bytes(change.title)"),
    (
        "regex_find",
        r#"change.title.find("[a-z]+") == "feat" && change.title.findAll("[a-z]+", 2).size() == 2"#,
    ),
    (
        "url",
        r#"url("https://" + change.environment + ".example.com:8443/c?v=" + change.version).getQuery().v[0] == change.version"#,
    ),
];

/// Optional values and `cel.bind` (the optional-values and bindings extensions), each `true`
/// over [`sample`].
pub(crate) const OPTIONAL_EXPRESSIONS: [(&str, &str); 2] = [
    ("optional", "change.services[?9].?tier.orValue(1) == 0 && !change.services[?10].hasValue()"),
    ("bind", "cel.bind(s, change.services, s.size() == 10 && s.exists(x, x.tier == 0))"),
];

/// One row per extension library family, each evaluating to `true` over [`sample`] (kept
/// apart from [`EXPRESSIONS`], whose rows are the baseline of the instruction counts).
pub(crate) const EXTENSIONS: [(&str, &str); 7] = [
    ("math", "math.greatest(change.lines_added, change.lines_removed, 100) == 240"),
    (
        "lists_sets",
        "sets.intersects(change.services.map(s, s.tier).distinct(), [0]) && change.services.slice(0, 3).size() == 3",
    ),
    ("network", r#"cidr("10.0.0.0/8").containsIP(ip("10.0." + string(change.lines_removed) + ".1"))"#),
    ("quantity", r#"quantity(string(change.lines_added) + "Mi").isGreaterThan(quantity("250M"))"#),
    (
        "comprehensions",
        "change.services.transformMap(i, s, s.tier).exists(i, v, i == 9 && v == 0) && change.services.all(i, s, i < 10)",
    ),
    (
        "k8s_format",
        "!format.dns1123Label().validate(change.environment).hasValue() && format.named('uuid').value().validate(change.title).hasValue()",
    ),
    (
        "regex_ext",
        r#"regex.extract(change.title, "^[a-z]+\\(([a-z-]+)\\)") == optional.of("checkout") && regex.replace(change.version, "^(\\d+)\\.(\\d+).*", "\\2.\\1") == "5.1""#,
    ),
];
