//! URLs: the Kubernetes `URL` library type, parsed by the `url` crate.

use std::sync::Arc;

/// A URL as `url()` accepts it: an absolute URI (`https://example.com/p?q=1`) or an absolute
/// path (`/p?q=1`). It keeps the text it was read from, which it prints as and is compared by,
/// and its parsed form.
#[derive(Clone)]
pub struct Url(Arc<UrlRepr>);

struct UrlRepr {
    text: Box<str>,
    parsed: url::Url,
    /// Whether the text is an absolute path, parsed against a placeholder base.
    path_only: bool,
}

/// The base an absolute path is read against; nothing of it shows in the accessors.
const PATH_BASE: &str = "http://path.invalid";

impl Url {
    /// Parses `text`, which must be an absolute URI or an absolute path.
    ///
    /// # Errors
    ///
    /// A message saying why `text` is not such a URL.
    pub fn parse(text: &str) -> Result<Url, String> {
        if text.contains(|c: char| c.is_ascii_control()) {
            return Err("invalid control character in URL".to_owned());
        }
        let path_only = text.starts_with('/');
        // An absolute path is appended to a placeholder authority, so that `//x` stays a path.
        let parsed =
            if path_only { url::Url::parse(&format!("{PATH_BASE}{text}")) } else { url::Url::parse(text) };
        match parsed {
            Ok(parsed) => Ok(Url(Arc::new(UrlRepr { text: text.into(), parsed, path_only }))),
            Err(url::ParseError::RelativeUrlWithoutBase) => {
                Err("neither an absolute URI nor an absolute path".to_owned())
            }
            Err(e) => Err(e.to_string()),
        }
    }

    /// The text the URL was read from.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0.text
    }

    /// The scheme, lower case; `""` for an absolute path.
    #[must_use]
    pub fn scheme(&self) -> &str {
        if self.0.path_only { "" } else { self.0.parsed.scheme() }
    }

    /// The authority as written and the text after it; both empty when there is no authority.
    fn split_authority(&self) -> (&str, &str) {
        if self.0.path_only || self.0.parsed.host().is_none() {
            return ("", "");
        }
        let text = &*self.0.text;
        let after_scheme = text.find("//").and_then(|i| text.get(i + 2..)).unwrap_or_default();
        let end = after_scheme.find(['/', '?', '#']).unwrap_or(after_scheme.len());
        after_scheme.split_at_checked(end).unwrap_or((after_scheme, ""))
    }

    /// The authority as written, without its user information: host and port (`[::1]:80`);
    /// `""` when there is none.
    #[must_use]
    pub fn host(&self) -> &str {
        let (authority, _) = self.split_authority();
        authority.rsplit_once('@').map_or(authority, |(_, host)| host)
    }

    /// The host without its port, and an IPv6 address without its brackets (`::1`).
    #[must_use]
    pub fn hostname(&self) -> &str {
        let host = self.host();
        if let Some(rest) = host.strip_prefix('[') {
            return rest.split_once(']').map_or(rest, |(address, _)| address);
        }
        host.split_once(':').map_or(host, |(name, _)| name)
    }

    /// The port as written; `""` when there is none.
    #[must_use]
    pub fn port(&self) -> &str {
        let host = self.host();
        let after_address = match host.strip_prefix('[') {
            Some(rest) => rest.split_once(']').map_or("", |(_, after)| after),
            None => host,
        };
        after_address.split_once(':').map_or("", |(_, port)| port)
    }

    /// The path, percent-encoded (`/with%20space`); `""` when the URL has none.
    #[must_use]
    pub fn escaped_path(&self) -> &str {
        let (authority, rest) = self.split_authority();
        // The parser gives `/` to `https://example.com`, whose text has no path at all.
        if !authority.is_empty() && !rest.starts_with('/') {
            return "";
        }
        self.0.parsed.path()
    }

    /// The query's parameters, decoded, in the order they are written.
    pub fn query_pairs(&self) -> impl Iterator<Item = (String, String)> + '_ {
        self.0.parsed.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned()))
    }

    /// The length of the query text, for pricing `getQuery`.
    #[must_use]
    pub fn query_len(&self) -> usize {
        self.0.parsed.query().map_or(0, str::len)
    }
}

impl PartialEq for Url {
    fn eq(&self, other: &Url) -> bool {
        self.as_str() == other.as_str()
    }
}

impl std::fmt::Debug for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "url({:?})", self.as_str())
    }
}
