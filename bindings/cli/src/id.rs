//! `traceprop id`: one id in every encoding.

use crate::output::{self, Style};
use serde_json::json;
use traceprop::{SpanId, TraceId};

/// What the input was read as.
enum Parsed {
    /// A 128-bit trace id.
    Trace(TraceId, &'static str),
    /// A 64-bit id: a span id, or a 64-bit trace id.
    Short(SpanId, &'static str),
}

fn parse(value: &str, tid: Option<&str>, decimal: bool) -> Result<Parsed, String> {
    let v = value.trim();
    let all_digits = !v.is_empty() && v.bytes().all(|c| c.is_ascii_digit());
    let err = |e: traceprop::Error| format!("{v:?}: {e}");
    if v.starts_with("1-") {
        return TraceId::from_xray_root(v)
            .map(|t| Parsed::Trace(t, "AWS X-Ray Root"))
            .map_err(err);
    }
    if let Some(tid) = tid {
        return TraceId::from_datadog(v, Some(tid))
            .map(|t| Parsed::Trace(t, "Datadog decimal trace id + _dd.p.tid"))
            .map_err(err);
    }
    match v.len() {
        32 => TraceId::from_hex(v)
            .map(|t| Parsed::Trace(t, "128-bit hex trace id"))
            .map_err(err),
        16 if !(decimal && all_digits) => SpanId::from_hex(v)
            .map(|s| Parsed::Short(s, "64-bit hex id"))
            .map_err(err),
        _ if all_digits => SpanId::from_decimal(v)
            .map(|s| Parsed::Short(s, "64-bit decimal id (Datadog, Google Cloud span id)"))
            .map_err(err),
        _ => Err(format!(
            "{v:?} is not a 32- or 16-digit lowercase hex id, a decimal id, or an X-Ray Root"
        )),
    }
}

pub fn run(
    value: &str,
    tid: Option<&str>,
    decimal: bool,
    json: bool,
    style: Style,
) -> Result<(), String> {
    let (trace, read_as, span) = match parse(value, tid, decimal)? {
        Parsed::Trace(t, how) => (t, how, None),
        Parsed::Short(s, how) => (TraceId::from_u64(s.to_u64()), how, Some(s)),
    };
    let (dd_dec, dd_tid) = trace.to_datadog();
    let mut rows = vec![
        ("read as".to_owned(), read_as.to_owned()),
        (
            "trace id (W3C, 128-bit hex)".into(),
            trace.to_hex().to_string(),
        ),
        (
            "trace id, 64-bit (B3/Jaeger/OT)".into(),
            match trace.to_u64() {
                Ok(_) => trace.low_hex().to_string(),
                Err(_) => format!("{} (low half: the high 64 bits are lost)", trace.low_hex()),
            },
        ),
        ("Datadog x-datadog-trace-id".into(), dd_dec.to_string()),
        (
            "Datadog _dd.p.tid".into(),
            dd_tid.map_or_else(|| "(none: high half is zero)".into(), |t| t.to_string()),
        ),
        ("AWS X-Ray Root".into(), trace.to_xray_root().to_string()),
    ];
    if let Some(s) = span {
        rows.push(("span id (hex)".into(), s.to_hex().to_string()));
        rows.push((
            "span id (decimal: Datadog parent id, Google Cloud)".into(),
            s.to_decimal().to_string(),
        ));
    }
    if json {
        let obj: serde_json::Map<String, serde_json::Value> = [
            ("read_as", json!(read_as)),
            ("trace_id", json!(trace.to_hex().as_str())),
            ("trace_id_64", json!(trace.low_hex().as_str())),
            ("trace_id_64_lossless", json!(trace.to_u64().is_ok())),
            ("datadog_trace_id", json!(dd_dec.as_str())),
            ("datadog_tid", json!(dd_tid.map(|t| t.to_string()))),
            ("xray_root", json!(trace.to_xray_root().as_str())),
            ("span_id", json!(span.map(|s| s.to_hex().to_string()))),
            (
                "span_id_decimal",
                json!(span.map(|s| s.to_decimal().to_string())),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        println!("{}", serde_json::Value::Object(obj));
    } else {
        println!("{}", style.bold(value.trim()));
        output::table(&rows);
    }
    Ok(())
}
