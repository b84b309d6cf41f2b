//! The report as JUnit XML: `<testsuites>`, a `<testsuite>` per file, a `<testcase>` per
//! `[[test]]` and `[[property]]`, a `<failure>` with its message for each that failed, an
//! `<error>` for a file that could not be loaded.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::FileRun;

type Xml = Writer<Vec<u8>>;

fn failure(w: &mut Xml, tag: &str, message: &str, body: &str) -> std::io::Result<()> {
    w.create_element(tag)
        .with_attribute(("message", message))
        .with_attribute(("type", tag))
        .write_text_content(BytesText::new(body))?;
    Ok(())
}

fn suite(w: &mut Xml, run: &FileRun) -> std::io::Result<()> {
    let name = run.name.as_str();
    let report = match &run.result {
        Ok(r) => r,
        Err(e) => {
            w.create_element("testsuite")
                .with_attributes([("name", name), ("tests", "1"), ("failures", "0"), ("errors", "1")])
                .write_inner_content(|w| {
                    w.create_element("testcase")
                        .with_attributes([("name", "load"), ("classname", name)])
                        .write_inner_content(|w| failure(w, "error", "the file could not be loaded", e))?;
                    Ok(())
                })?;
            return Ok(());
        }
    };
    let tests = (report.cases.len() + report.properties.len()).to_string();
    let failures = report.failed().to_string();
    w.create_element("testsuite")
        .with_attributes([
            ("name", name),
            ("tests", tests.as_str()),
            ("failures", failures.as_str()),
            ("errors", "0"),
        ])
        .write_inner_content(|w| {
            let class = format!("{name}.test");
            for case in &report.cases {
                let el = w
                    .create_element("testcase")
                    .with_attributes([("name", case.name.as_str()), ("classname", class.as_str())]);
                if case.passed() {
                    el.write_empty()?;
                } else {
                    let message = case.mismatches.first().map_or("failed", String::as_str);
                    el.write_inner_content(|w| failure(w, "failure", message, &case.mismatches.join("\n")))?;
                }
            }
            let class = format!("{name}.property");
            for p in &report.properties {
                let el = w
                    .create_element("testcase")
                    .with_attributes([("name", p.name.as_str()), ("classname", class.as_str())]);
                let summary = p.summary();
                el.write_inner_content(|w| {
                    if p.passed() {
                        w.create_element("system-out").write_text_content(BytesText::new(&summary))?;
                        return Ok(());
                    }
                    let body = p
                        .counterexample
                        .as_ref()
                        .map_or_else(|| summary.clone(), |c| c.to_test_toml(&p.name, report.seed, p.cases));
                    failure(w, "failure", &summary, &body)
                })?;
            }
            Ok(())
        })?;
    Ok(())
}

/// The whole report as JUnit XML text.
pub(crate) fn render(runs: &[FileRun]) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let (mut tests, mut failures, mut errors) = (0usize, 0usize, 0usize);
    for run in runs {
        match &run.result {
            Ok(r) => {
                tests += r.cases.len() + r.properties.len();
                failures += r.failed();
            }
            Err(_) => errors += 1,
        }
    }
    let (tests, failures, errors) = (tests.to_string(), failures.to_string(), errors.to_string());
    let written = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None))).and_then(|()| {
        w.create_element("testsuites")
            .with_attributes([
                ("name", "changeguard"),
                ("tests", tests.as_str()),
                ("failures", failures.as_str()),
                ("errors", errors.as_str()),
            ])
            .write_inner_content(|w| runs.iter().try_for_each(|run| suite(w, run)))
            .map(|_| ())
    });
    match written {
        Ok(()) => {
            let mut text = String::from_utf8(w.into_inner()).unwrap_or_default();
            text.push('\n');
            text
        }
        Err(e) => format!("<!-- the report could not be written: {e} -->\n"),
    }
}
