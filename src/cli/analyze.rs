//! `changeguard check --analyze`.

use changeguard::Policy;
use changeguard::testing::SearchOptions;

/// The analysis options of `changeguard check`.
#[derive(clap::Args)]
pub(crate) struct AnalyzeArgs {
    /// Also analyse each policy: factors and rules that never or always fire, unreachable risk
    /// levels, `deny_at` not above `approval_at`, duplicate conditions, `require`s implied by
    /// their `when`, unused parameters and `let`s, unusable override roles. Each finding is
    /// proven, or observed over generated inputs (and said so).
    #[arg(long)]
    analyze: bool,
    /// How many policy-aware inputs `--analyze` generates.
    #[arg(long, value_name = "N", default_value_t = 256)]
    cases: u32,
    /// The seed of the generated inputs (the same seed gives the same findings).
    #[arg(long, value_name = "SEED", default_value_t = 0)]
    seed: u64,
    /// `text`, or `json`: a JSON array with one `{"file", "findings", "inputs"}` per policy.
    #[arg(long, value_name = "FORMAT", default_value = "text", value_parser = ["text", "json"])]
    format: String,
}

impl AnalyzeArgs {
    /// Whether JSON is printed instead of text.
    pub(crate) fn json(&self) -> bool {
        self.analyze && self.format == "json"
    }

    /// Analyses `policy` (from file `name`): prints the text now, or keeps the JSON entry.
    pub(crate) fn run(&self, name: &str, policy: &Policy, json: &mut Vec<serde_json::Value>) {
        if !self.analyze {
            return;
        }
        let analysis = policy.analyze_generated(&SearchOptions::new(self.cases, self.seed));
        if self.json() {
            let mut entry = serde_json::json!({ "file": name });
            if let (Some(e), Ok(serde_json::Value::Object(a))) =
                (entry.as_object_mut(), serde_json::to_value(&analysis))
            {
                e.extend(a);
            }
            json.push(entry);
        } else {
            out!("{}", analysis.render(Some(name)));
        }
    }
}
