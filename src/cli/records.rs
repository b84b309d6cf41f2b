//! Streams decision records from files and standard input in chunks: the lines of a chunk are
//! read, decided and counted in parallel (rayon), each thread into its own report, and the
//! reports merged in input order, so memory stays bounded by the chunk size whatever the size
//! of the input. Only splitting the input into lines is sequential.

use std::io::{BufReader, IsTerminal as _};
use std::process::ExitCode;
use std::sync::Arc;

use changeguard::Limits;
use changeguard::replay::{DecisionRecord, Location, MergeError, RecordError, ReplayReport};
use rayon::prelude::*;

use crate::EXIT_INVALID;
use crate::lines::Lines;

/// Most lines in one chunk.
const CHUNK_LINES: usize = 4096;
/// Most bytes in one chunk (a single longer line still makes a chunk of its own).
const CHUNK_BYTES: usize = 8 << 20;

/// One line to decide: its number, and its bytes or why it has none.
type Pending = (u64, Result<Vec<u8>, RecordError>);

/// Reads every record of `paths` (`-` is standard input), decides and counts each with `count`
/// in parallel, into `report` as if in input order. With `strict`, the first malformed line
/// ends the run with exit status 2.
///
/// # Errors
///
/// The exit status, after printing why, when a file cannot be read or a line is malformed under
/// `strict`.
#[allow(clippy::print_stderr)]
pub(crate) fn run<F>(
    paths: &[String],
    limits: &Limits,
    strict: bool,
    report: &mut ReplayReport,
    count: F,
) -> Result<(), ExitCode>
where
    F: Fn(&mut ReplayReport, &Location, DecisionRecord) + Sync,
{
    let progress = Progress::new(paths);
    let empty = ReplayReport::new(report.policy.clone(), report.topology_digest.clone(), report.max_examples);
    for path in paths {
        let reader: Box<dyn std::io::BufRead> = if path == "-" {
            Box::new(BufReader::with_capacity(1 << 16, std::io::stdin().lock()))
        } else {
            match std::fs::File::open(path) {
                Ok(f) => Box::new(BufReader::with_capacity(1 << 16, f)),
                Err(e) => {
                    progress.finish();
                    eprintln!("error: cannot read `{path}`: {e}");
                    return Err(ExitCode::from(EXIT_INVALID));
                }
            }
        };
        let source: Arc<str> = crate::display_name(path).into();
        let mut lines = Lines::new(reader, limits.max_document_bytes);
        let mut chunk: Vec<Pending> = Vec::with_capacity(CHUNK_LINES);
        let mut chunk_bytes = 0usize;
        loop {
            let next = match lines.next_line() {
                Ok(next) => next,
                Err(e) => {
                    progress.finish();
                    eprintln!("error: cannot read `{source}`: {e}");
                    return Err(ExitCode::from(EXIT_INVALID));
                }
            };
            let end = next.is_none();
            if let Some((number, taken, line)) = next {
                chunk_bytes += taken;
                progress.advance(taken);
                chunk.push((number, line));
            }
            if end || chunk.len() >= CHUNK_LINES || chunk_bytes >= CHUNK_BYTES {
                let counted = count_chunk(std::mem::take(&mut chunk), &source, limits, &empty, &count);
                chunk_bytes = 0;
                let merged = counted.and_then(|counted| {
                    if strict && let Some(bad) = counted.malformed.named.first() {
                        progress.finish();
                        let at = &bad.at;
                        eprintln!("error: {}:{}: {}: {}", at.source, at.line, bad.kind.as_str(), bad.message);
                        eprintln!(
                            "help: without `--strict`, malformed lines are counted and the rest replayed"
                        );
                        return Ok(Err(ExitCode::from(EXIT_INVALID)));
                    }
                    report.merge(counted).map(Ok)
                });
                match merged {
                    Ok(Ok(())) => {}
                    Ok(Err(code)) => return Err(code),
                    Err(e) => {
                        progress.finish();
                        eprintln!("error: the reports of the threads do not merge: {e}");
                        return Err(ExitCode::from(EXIT_INVALID));
                    }
                }
                progress.set_records(report.records);
            }
            if end {
                break;
            }
        }
    }
    progress.finish();
    Ok(())
}

/// Reads, decides and counts the lines of one chunk of `source` in parallel: each thread counts
/// runs of consecutive lines into a report of its own (a copy of `empty`), and the reports are
/// merged in input order, which gives the report of the chunk counted line by line. A run
/// shares one location, its line set for each record: nothing is shared between threads per
/// record.
fn count_chunk<F>(
    chunk: Vec<Pending>,
    source: &Arc<str>,
    limits: &Limits,
    empty: &ReplayReport,
    count: &F,
) -> Result<ReplayReport, MergeError>
where
    F: Fn(&mut ReplayReport, &Location, DecisionRecord) + Sync,
{
    chunk
        .into_par_iter()
        .fold(
            || (empty.clone(), Location::new(Arc::clone(source), 0)),
            |(mut report, mut at), (number, line)| {
                at.line = number;
                let record = line
                    .and_then(crate::lines::text)
                    .and_then(|text| DecisionRecord::from_json_line(&text, limits));
                match record {
                    Ok(record) => count(&mut report, &at, record),
                    Err(e) => report.add_malformed(at.clone(), &e),
                }
                (report, at)
            },
        )
        .map(|(report, _)| Ok(report))
        .try_reduce(|| empty.clone(), |mut first, then| first.merge(then).map(|()| first))
}

/// A progress bar on standard error when it is a terminal; nothing otherwise.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new(paths: &[String]) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let sizes: Option<u64> = paths
            .iter()
            .map(|p| if p == "-" { None } else { std::fs::metadata(p).ok().map(|m| m.len()) })
            .sum();
        let bar = match sizes {
            Some(total) => indicatif::ProgressBar::new(total).with_style(
                indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {msg} ({eta})")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            ),
            None => indicatif::ProgressBar::new_spinner(),
        };
        Progress(Some(bar))
    }

    fn advance(&self, bytes: usize) {
        if let Some(bar) = &self.0 {
            bar.inc(bytes as u64);
        }
    }

    fn set_records(&self, records: u64) {
        if let Some(bar) = &self.0 {
            bar.set_message(format!("{records} records"));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
