//! `traceprop decode`: every format found in the headers, why each was
//! accepted or rejected, conflicts, and the context in every format.

use crate::headers::{self, Lines};
use crate::output::{self, Style};
use serde_json::{json, Value};
use traceprop::propagator::{self, Config, Extraction, Format};
use traceprop::w3c::{baggage, tracestate};

/// What one format made of the headers.
enum Verdict<'a> {
    Matched(traceprop::SpanContext<'a>),
    Rejected(traceprop::Error),
    Absent,
}

fn verdict<'a>(found: &Extraction<'a>, format: Format) -> Verdict<'a> {
    if let Some((_, ctx)) = found.matched().iter().find(|(f, _)| *f == format) {
        Verdict::Matched(*ctx)
    } else if let Some(r) = found.rejected().iter().find(|r| r.format == format) {
        Verdict::Rejected(r.error)
    } else {
        Verdict::Absent
    }
}

pub fn run(lines: &Lines, json: bool, style: Style) {
    let carrier = headers::borrow(lines);
    let config = Config::from_formats(&Format::ALL);
    let found = propagator::extract(&config, carrier.as_slice());
    let mut rendered = Vec::new();
    if found.context.is_some() {
        propagator::inject(&config, &found.propagation(), &mut |k: &str, v: &str| {
            rendered.push((k.to_owned(), v.to_owned()));
        });
    }
    if json {
        println!("{}", to_json(&found, &rendered));
    } else {
        print_human(&found, &rendered, lines.len(), style);
    }
}

fn tracestate_text(found: &Extraction<'_>) -> Option<String> {
    let mut buf = vec![0u8; tracestate::MAX_LEN];
    let n = found.tracestate.encode(&mut buf).ok()?;
    (n > 0).then(|| String::from_utf8_lossy(&buf[..n]).into_owned())
}

fn baggage_rows(found: &Extraction<'_>) -> Vec<(String, String, String)> {
    let mut buf = vec![0u8; baggage::MAX_BYTES];
    let mut props = vec![0u8; baggage::MAX_BYTES];
    found
        .baggage
        .members()
        .iter()
        .map(|m| {
            let value = m.value.decode_into(&mut buf).unwrap_or_default().to_owned();
            let mut w = traceprop::Writer::new(&mut props);
            let _ = m.write_properties(&mut w);
            let p = String::from_utf8_lossy(w.written()).into_owned();
            (m.key.to_owned(), value, p)
        })
        .collect()
}

fn print_human(found: &Extraction<'_>, rendered: &[(String, String)], n: usize, s: Style) {
    println!("{} ({n} header lines)", s.bold("formats"));
    let rows: Vec<(String, String)> = Format::ALL
        .iter()
        .map(|&f| {
            let v = match verdict(found, f) {
                Verdict::Matched(ctx) => s.good(&format!("✓ {}", output::context_line(&ctx))),
                Verdict::Rejected(e) => s.bad(&format!("✗ rejected: {e}")),
                Verdict::Absent if f == Format::Baggage && !found.baggage.is_empty() => {
                    s.good("✓ baggage present")
                }
                Verdict::Absent => s.dim("- absent"),
            };
            (f.name().to_owned(), v)
        })
        .collect();
    output::table(&rows);
    match (found.context, found.source) {
        (Some(ctx), Some(src)) => {
            println!("{} {} (policy last)", s.bold("winner"), src.name());
            println!("  {}", output::context_line(&ctx));
        }
        _ => println!(
            "{} {}",
            s.bold("winner"),
            s.bad("none: no valid trace context")
        ),
    }
    if found.conflict() {
        println!("{}", s.bad("CONFLICT: formats disagree on the trace id"));
        for (f, ctx) in found.matched() {
            println!("  {:<14} {}", f.name(), ctx.trace_id);
        }
    } else if found.matched().len() > 1 {
        println!("{}", s.good("all matched formats agree on the trace id"));
    }
    if let Some(ts) = tracestate_text(found) {
        println!("{} {ts}", s.bold("tracestate"));
    }
    if let Some(e) = found.tracestate_error {
        println!(
            "{} {}",
            s.bold("tracestate"),
            s.bad(&format!("dropped: {e}"))
        );
    }
    let bag = baggage_rows(found);
    if !bag.is_empty() {
        println!("{}", s.bold("baggage"));
        let rows: Vec<(String, String)> = bag
            .into_iter()
            .map(|(k, v, p)| {
                (
                    k,
                    if p.is_empty() {
                        v
                    } else {
                        format!("{v}  ;{p}")
                    },
                )
            })
            .collect();
        output::table(&rows);
    }
    if !rendered.is_empty() {
        println!("{}", s.bold("rendered in every format"));
        for (k, v) in rendered {
            println!("  {k}: {v}");
        }
    }
}

fn to_json(found: &Extraction<'_>, rendered: &[(String, String)]) -> Value {
    let formats: Vec<Value> = Format::ALL
        .iter()
        .map(|&f| match verdict(found, f) {
            Verdict::Matched(ctx) => {
                json!({"format": f.name(), "status": "matched", "context": output::context_json(&ctx)})
            }
            Verdict::Rejected(e) => {
                json!({"format": f.name(), "status": "rejected", "error": e.name(), "reason": e.to_string()})
            }
            Verdict::Absent => json!({"format": f.name(), "status": "absent"}),
        })
        .collect();
    let baggage: Vec<Value> = baggage_rows(found)
        .into_iter()
        .map(|(k, v, p)| json!({"key": k, "value": v, "properties": p}))
        .collect();
    json!({
        "context": found.context.as_ref().map(output::context_json),
        "source": found.source.map(Format::name),
        "conflict": found.conflict(),
        "formats": formats,
        "tracestate": tracestate_text(found),
        "tracestate_error": found.tracestate_error.map(|e| e.name()),
        "baggage": baggage,
        "rendered": rendered.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
    })
}
