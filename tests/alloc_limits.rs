//! Work is paid for before the memory is taken: expressions that would build hundreds of
//! megabytes stop at a limit having allocated next to nothing, counted with a counting global
//! allocator (`dhat`). One test: the allocator's peak is per process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use changeguard::cel::{Env, EvalErrorKind, Type, Value};
use changeguard::{DiagnosticKind, Limits, Policy};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

#[test]
fn limits_fire_before_the_memory_is_allocated() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let long = "x".repeat(1 << 20);
    let mut env = Env::new();
    env.declare("s", Type::String);
    let vars = vec![Value::str(&long)];
    let two_hundred = format!("[{}]", vec!["s"; 200].join(", "));
    for (expr, kind) in [
        // 200 MiB of text.
        (format!("{two_hundred}.join().size()"), EvalErrorKind::LimitExceeded),
        (format!("{two_hundred}.join(\", \").size()"), EvalErrorKind::LimitExceeded),
        // A million pieces, a terabyte of text.
        ("s.split(\"\").size()".to_owned(), EvalErrorKind::LimitExceeded),
        ("s.replace(\"\", s).size()".to_owned(), EvalErrorKind::LimitExceeded),
    ] {
        let p = env.compile(&expr).unwrap();
        let e = p.evaluate(&vars).unwrap_err();
        assert_eq!(e.kind(), kind, "{expr}: {e}");
    }
    let peak = dhat::HeapStats::get().max_bytes;
    // The 1 MiB input and little else.
    assert!(peak < 2 << 20, "peak {peak} bytes");

    // Doubling a string: stopped at 32 MiB, before building it (the strings of 2, 4, 8 and
    // 16 MiB were built, each briefly twice while it becomes a shared string).
    let doubling = "[s + s].map(a, [a + a].map(b, [b + b].map(c, [c + c].map(d, [d + d].map(e, e.size())))))";
    let e = env.compile(doubling).unwrap().evaluate(&vars).unwrap_err();
    assert_eq!(e.kind(), EvalErrorKind::LimitExceeded, "{e}");
    let peak = dhat::HeapStats::get().max_bytes;
    assert!(peak < 64 << 20, "peak {peak} bytes");

    // Constant folding: `replace` builds 16 MB, `split("")` would build 16 million strings.
    let text = format!(
        "[policy]\nname = \"fold\"\nversion = \"1.0.0\"\n[[rule]]\nid = \"fold\"\nrequire = '\"{}\".replace(\"\", \"{}\").split(\"\").size() > 0'\n",
        "x".repeat(4000),
        "y".repeat(4000)
    );
    let d = Policy::from_text_with_limits(&text, &Limits::default()).unwrap_err();
    assert_eq!(d.errors().next().unwrap().kind(), DiagnosticKind::LimitExceeded);
    let peak = dhat::HeapStats::get().max_bytes;
    assert!(peak < 64 << 20, "peak {peak} bytes");
}
