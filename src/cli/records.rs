//! Streams decision records from files and standard input in chunks: each chunk is decided in
//! parallel (rayon) and counted in input order, so memory stays bounded by the chunk size
//! whatever the size of the input.

use std::io::{BufReader, IsTerminal as _};
use std::process::ExitCode;

use changeguard::Limits;
use changeguard::replay::{DecisionRecord, Location, RecordError, ReplayReport, Replayed};
use rayon::prelude::*;

use crate::EXIT_INVALID;
use crate::lines::Lines;

/// Most lines in one chunk.
const CHUNK_LINES: usize = 4096;
/// Most bytes in one chunk (a single longer line still makes a chunk of its own).
const CHUNK_BYTES: usize = 8 << 20;

/// One line to decide: where it is, and its text or why it has none.
type Pending = (Location, Result<String, RecordError>);

/// Reads every record of `paths` (`-` is standard input), decides each with `decide` in
/// parallel and adds it to `report` in input order. With `strict`, the first malformed line
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
    decide: F,
) -> Result<(), ExitCode>
where
    F: Fn(DecisionRecord) -> Replayed + Sync,
{
    let progress = Progress::new(paths);
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
        let source: std::sync::Arc<str> = crate::display_name(path).into();
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
                chunk.push((Location::new(std::sync::Arc::clone(&source), number), line));
            }
            if end || chunk.len() >= CHUNK_LINES || chunk_bytes >= CHUNK_BYTES {
                let decided = decide_chunk(std::mem::take(&mut chunk), limits, &decide);
                chunk_bytes = 0;
                for (at, result) in decided {
                    match result {
                        Ok(r) => report.add(at, r),
                        Err(e) if strict => {
                            progress.finish();
                            eprintln!("error: {}:{}: {}: {e}", at.source, at.line, e.kind().as_str());
                            eprintln!(
                                "help: without `--strict`, malformed lines are counted and the rest replayed"
                            );
                            return Err(ExitCode::from(EXIT_INVALID));
                        }
                        Err(e) => report.add_malformed(at, &e),
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

/// Reads and decides the lines of one chunk in parallel, keeping their order.
fn decide_chunk<F>(
    chunk: Vec<Pending>,
    limits: &Limits,
    decide: &F,
) -> Vec<(Location, Result<Replayed, RecordError>)>
where
    F: Fn(DecisionRecord) -> Replayed + Sync,
{
    chunk
        .into_par_iter()
        .map(|(at, line)| {
            let decided = line.and_then(|text| DecisionRecord::from_json_line(&text, limits)).map(decide);
            (at, decided)
        })
        .collect()
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
