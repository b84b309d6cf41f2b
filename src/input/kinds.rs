//! The closed vocabularies of the input documents: categories, change kinds, strategy types,
//! check statuses and version bumps. Each is written as `snake_case` text, and `Display` shows
//! the same text.

use crate::input::serde_util::text_enum;

text_enum! {
    /// How a change is governed (`category`, see [The change document](crate::input#the-change-document)).
    ///
    /// ```
    /// use changeguard::input::Category;
    /// assert_eq!(Category::default(), Category::Normal);
    /// assert_eq!(Category::Emergency.to_string(), "emergency");
    /// ```
    #[derive(Default)]
    Category, noun = "category" {
        /// A pre-authorised, repeatable change.
        Standard = "standard",
        /// An ordinary change, reviewed on its merits (the default).
        #[default]
        Normal = "normal",
        /// An urgent change, typically a fix for an ongoing incident.
        Emergency = "emergency",
    }
}

text_enum! {
    /// What a change touches in a service (a service change's `kinds`, see [The change
    /// document](crate::input#the-change-document)).
    ChangeKind, noun = "change kind" {
        /// Application code (the default kind).
        Code = "code",
        /// Configuration.
        Config = "config",
        /// Infrastructure: machines, networks, load balancers.
        Infrastructure = "infrastructure",
        /// A data store schema.
        Schema = "schema",
        /// A library or other dependency.
        Dependency = "dependency",
        /// A feature flag.
        FeatureFlag = "feature_flag",
        /// A secret or credential.
        Secret = "secret",
    }
}

text_enum! {
    /// How a change rolls out (`strategy.type`, see [The change document](crate::input#the-change-document)).
    #[derive(Default)]
    StrategyType, noun = "strategy type" {
        /// Every host or user at once (the default).
        #[default]
        AllAtOnce = "all_at_once",
        /// Batches of hosts in turn.
        Rolling = "rolling",
        /// A small share first, then everyone.
        Canary = "canary",
        /// Equal increments of traffic.
        Linear = "linear",
        /// A full second environment, switched over at once.
        BlueGreen = "blue_green",
        /// One host first, then everyone.
        OneBox = "one_box",
        /// Behind a feature flag, enabled for a small share first.
        FeatureFlag = "feature_flag",
    }
}

/// `[10, 20, …, 100]`.
const LINEAR_STEPS: &[u32] = &[10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

impl StrategyType {
    /// The steps (percentages of traffic or hosts) of this type when a strategy gives none:
    /// `all_at_once` and `blue_green` `[100]`, `rolling` `[25, 50, 75, 100]`, `canary`
    /// `[10, 100]`, `linear` `[10, 20, …, 100]`, `one_box` and `feature_flag` `[1, 100]`.
    #[must_use]
    pub const fn default_steps(self) -> &'static [u32] {
        match self {
            StrategyType::AllAtOnce | StrategyType::BlueGreen => &[100],
            StrategyType::Rolling => &[25, 50, 75, 100],
            StrategyType::Canary => &[10, 100],
            StrategyType::Linear => LINEAR_STEPS,
            StrategyType::OneBox | StrategyType::FeatureFlag => &[1, 100],
        }
    }
}

text_enum! {
    /// The state of a CI check (`checks`, see [The change document](crate::input#the-change-document)).
    CheckStatus, noun = "check status" {
        /// The check succeeded.
        Passed = "passed",
        /// The check failed.
        Failed = "failed",
        /// The check was not run.
        Skipped = "skipped",
        /// The check has not finished.
        Pending = "pending",
    }
}

text_enum! {
    /// How a service's version moves, from `from` to `to` (a service change's computed `bump`).
    ///
    /// Computed by [`ServiceChange::bump`](crate::input::ServiceChange::bump).
    Bump, noun = "bump" {
        /// The major number increased.
        Major = "major",
        /// The minor number increased, the major did not change.
        Minor = "minor",
        /// The patch number increased, major and minor did not change.
        Patch = "patch",
        /// The numbers are equal and only the pre-release moved up (`1.0.0-rc.1` → `1.0.0`).
        Prerelease = "prerelease",
        /// The versions have equal precedence (build metadata is ignored).
        None = "none",
        /// `to` is lower than `from`.
        Downgrade = "downgrade",
        /// `from` or `to` is absent.
        Unknown = "unknown",
    }
}
