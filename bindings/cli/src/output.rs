//! Human and JSON rendering shared by the commands.

use serde_json::{json, Value};
use traceprop::SpanContext;

/// Terminal styling.
#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }

    pub fn good(self, s: &str) -> String {
        self.paint("32", s)
    }

    pub fn bad(self, s: &str) -> String {
        self.paint("31", s)
    }

    pub fn dim(self, s: &str) -> String {
        self.paint("2", s)
    }

    pub fn bold(self, s: &str) -> String {
        self.paint("1", s)
    }
}

/// Prints `rows` as two aligned columns.
pub fn table(rows: &[(String, String)]) {
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in rows {
        println!("  {k:<width$}  {v}");
    }
}

/// The sampling decision in words.
pub fn sampled(ctx: &SpanContext<'_>) -> &'static str {
    match ctx.sampled {
        Some(true) if ctx.debug => "sampled (debug)",
        Some(true) => "sampled",
        Some(false) => "not sampled",
        None => "deferred",
    }
}

/// A one-line summary of a context.
pub fn context_line(ctx: &SpanContext<'_>) -> String {
    let mut s = format!(
        "trace {} span {} {}",
        ctx.trace_id,
        ctx.span_id,
        sampled(ctx)
    );
    if let Some(p) = ctx.sampling_priority {
        s.push_str(&format!(" priority {p}"));
    }
    if let Some(o) = ctx.origin {
        s.push_str(&format!(" origin {o}"));
    }
    s
}

/// A context as JSON.
pub fn context_json(ctx: &SpanContext<'_>) -> Value {
    json!({
        "trace_id": ctx.trace_id.to_hex().as_str(),
        "span_id": ctx.span_id.to_hex().as_str(),
        "sampled": ctx.sampled,
        "debug": ctx.debug,
        "random": ctx.random,
        "sampling_priority": ctx.sampling_priority,
        "origin": ctx.origin.map(|o| o.to_string()),
    })
}
