//! Serialization of a compiled topology back to its document shape, and reading it as a
//! [`Document`] (its shape is a [`TopologyDocument`], checked by [`Topology::with_limits`]).

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use super::{DependencyRef, ServiceRef, Topology, TopologyDocument};
use crate::document::{Document, json_constructors};
use crate::{Diagnostics, Limits};

json_constructors! {
    Topology, "topology",
    /// Loads a topology from JSON text ([The topology document](crate::topology#the-topology-document))
    /// with the default [`Limits`].
    ///
    /// # Errors
    ///
    /// A JSON syntax error (one diagnostic); otherwise every value of the wrong shape (an
    /// unknown field, with a "did you mean"), or else every validation problem, as
    /// [`Topology::new`] reports them; each with its field path and a span into `text`.
}

impl Document for Topology {
    const NAME: &'static str = "topology";
    type Shape = TopologyDocument;

    fn build(document: TopologyDocument, limits: &Limits) -> Result<Topology, Diagnostics> {
        Topology::with_limits(&document.services, &document.dependencies, limits)
    }
}

impl Serialize for Topology {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut document = serializer.serialize_struct("TopologyDocument", 2)?;
        document.serialize_field("services", &Seq(|| self.services()))?;
        document.serialize_field("dependencies", &Seq(|| self.dependencies()))?;
        document.end()
    }
}

/// Serializes the items of a fresh iterator as a sequence.
struct Seq<F>(F);

impl<F, I> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator<Item: Serialize>,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((self.0)())
    }
}

/// Serializes `(key, value)` pairs as a map.
struct Map<F>(F);

impl<'t, F, I> Serialize for Map<F>
where
    F: Fn() -> I,
    I: Iterator<Item = (&'t str, &'t str)>,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map((self.0)())
    }
}

/// The same shape as [`super::Service`]: absent tier and team and empty lists are left out.
impl Serialize for ServiceRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut service = serializer.serialize_struct("Service", 6)?;
        service.serialize_field("name", self.name())?;
        match self.tier() {
            Some(tier) => service.serialize_field("tier", &tier)?,
            None => service.skip_field("tier")?,
        }
        match self.team() {
            Some(team) => service.serialize_field("team", team)?,
            None => service.skip_field("team")?,
        }
        service.serialize_field("traffic_share", &self.traffic_share())?;
        if self.regions().len() == 0 {
            service.skip_field("regions")?;
        } else {
            service.serialize_field("regions", &Seq(|| self.regions()))?;
        }
        if self.tags().len() == 0 {
            service.skip_field("tags")?;
        } else {
            service.serialize_field("tags", &Map(|| self.tags()))?;
        }
        service.end()
    }
}

impl Serialize for DependencyRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut dependency = serializer.serialize_struct("Dependency", 3)?;
        dependency.serialize_field("from", self.from)?;
        dependency.serialize_field("to", self.to)?;
        dependency.serialize_field("kind", &self.kind)?;
        dependency.end()
    }
}
