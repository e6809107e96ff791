//! The Rust conformance runner: every case of every `*.json` file in
//! `TRACEPROP_VECTORS` (default: the project's `tests/vectors`) through the
//! public API. Any mismatch, or any case it cannot run, fails.

use serde_json::{Map, Value};
use std::path::PathBuf;
use traceprop::datadog::Text;
use traceprop::propagator::{self, Config, Extraction, Policy};
use traceprop::w3c::baggage::{Encoding, Member, Value as BagValue};
use traceprop::{Baggage, DatadogTags, Propagation, SpanContext, SpanId, TraceId, TraceState};

/// Every format.
const ALL: &str =
    "tracecontext,baggage,b3,b3multi,jaeger,ottrace,xray,datadog,cloudtrace,sw8,grpc-trace-bin";

/// A request that fills every part of an extraction (a context, tracestate,
/// baggage, matches, a rejection), extracted before each case's request into
/// the extraction `extract_into` then reuses.
const DIRTY: [(&str, &str); 6] = [
    (
        "traceparent",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    ),
    ("tracestate", "dirty=1,other=2"),
    ("baggage", "dirty=1,other=2;p"),
    ("b3", "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1"),
    ("uber-trace-id", "not:valid"),
    ("uberctx-dirty", "3"),
];

type Headers = Vec<(String, String)>;

fn vectors_dir() -> PathBuf {
    match std::env::var_os("TRACEPROP_VECTORS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors"),
    }
}

#[test]
fn conformance_vectors() {
    let dir = vectors_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vector files in {}", dir.display());
    let (mut passed, mut failed) = (0usize, 0usize);
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable vector file");
        let doc: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", file.display()));
        if let Err(e) = check_file_header(&doc) {
            println!("FAIL {}: {e}", file.display());
            failed += 1;
            continue;
        }
        for case in doc["cases"].as_array().into_iter().flatten() {
            let name = case["name"].as_str().unwrap_or("<unnamed>");
            match run_case(case) {
                Ok(()) => passed += 1,
                Err(e) => {
                    failed += 1;
                    let file = file.file_name().unwrap_or_default().to_string_lossy();
                    println!("FAIL {file} :: {name}: {e}");
                }
            }
        }
    }
    println!("rust: {passed} passed, {failed} failed");
    assert_eq!(failed, 0, "{failed} vector case(s) failed");
    assert!(passed > 0, "no vector case ran");
}

fn check_file_header(doc: &Value) -> Result<(), String> {
    if doc["schema"] != "traceprop-vectors/1" {
        return Err(format!("unknown schema {}", doc["schema"]));
    }
    if !doc["cases"].is_array() {
        return Err("no cases array".into());
    }
    Ok(())
}

fn run_case(case: &Value) -> Result<(), String> {
    let obj = case.as_object().ok_or("case is not an object")?;
    let kinds = ["extract", "inject"]
        .iter()
        .filter(|k| obj.contains_key(**k))
        .count();
    known_keys(
        obj,
        &[
            "name",
            "reason",
            "propagators",
            "policy",
            "extract",
            "inject",
            "inject_propagators",
            "expect",
        ],
    )?;
    if obj
        .get("reason")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err("missing reason".into());
    }
    let config = config(obj)?;
    let expect = obj
        .get("expect")
        .and_then(Value::as_object)
        .ok_or("missing expect")?;
    match (kinds, obj.get("inject_propagators")) {
        (1, Some(to)) if obj.contains_key("extract") => {
            let to = parse_config(to.as_str().ok_or("inject_propagators is not a string")?)?;
            let headers = header_list(&obj["extract"])?;
            let pairs = borrow(&headers);
            let mut out = Headers::new();
            propagator::translate(&config, &to, pairs.as_slice(), &mut |k: &str, v: &str| {
                out.push((k.to_owned(), v.to_owned()))
            });
            known_keys(expect, &["headers"])?;
            compare_headers(&out, expect.get("headers").ok_or("missing expect.headers")?)
        }
        (1, None) if obj.contains_key("extract") => {
            let headers = header_list(&obj["extract"])?;
            let pairs = borrow(&headers);
            let x = propagator::extract(&config, pairs.as_slice());
            check_extraction(&x, expect)?;
            // The same into an extraction that held another request.
            let mut reused = Extraction::default();
            propagator::extract_into(&Config::parse(ALL), &DIRTY, &mut reused);
            propagator::extract_into(&config, pairs.as_slice(), &mut reused);
            check_extraction(&reused, expect).map_err(|e| format!("extract_into: {e}"))
        }
        (1, None) => {
            let input = obj["inject"].as_object().ok_or("inject is not an object")?;
            let p = propagation(input)?;
            let mut out = Headers::new();
            propagator::inject(&config, &p, &mut |k: &str, v: &str| {
                out.push((k.to_owned(), v.to_owned()))
            });
            known_keys(expect, &["headers"])?;
            compare_headers(&out, expect.get("headers").ok_or("missing expect.headers")?)
        }
        _ => Err("a case needs exactly one of extract, inject, translate".into()),
    }
}

fn known_keys(obj: &Map<String, Value>, allowed: &[&str]) -> Result<(), String> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!("unknown field {k:?}")),
        None => Ok(()),
    }
}

fn parse_config(list: &str) -> Result<Config, String> {
    let unknown: Vec<&str> = Config::unknown_names(list).collect();
    if unknown.is_empty() {
        Ok(Config::parse(list))
    } else {
        Err(format!("unknown propagator(s) {unknown:?}"))
    }
}

fn config(obj: &Map<String, Value>) -> Result<Config, String> {
    let list = obj
        .get("propagators")
        .and_then(Value::as_str)
        .ok_or("missing propagators")?;
    let policy = match obj.get("policy") {
        None => Policy::Last,
        Some(p) => p
            .as_str()
            .and_then(Policy::from_name)
            .ok_or_else(|| format!("unknown policy {p}"))?,
    };
    Ok(parse_config(list)?.with_policy(policy))
}

fn header_list(v: &Value) -> Result<Headers, String> {
    v.as_array()
        .ok_or("extract is not a list")?
        .iter()
        .map(|pair| match pair.as_array().map(Vec::as_slice) {
            Some([Value::String(k), Value::String(v)]) => Ok((k.clone(), v.clone())),
            _ => Err(format!("bad header pair {pair}")),
        })
        .collect()
}

fn borrow(headers: &Headers) -> Vec<(&str, &str)> {
    headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn check_extraction(
    x: &propagator::Extraction<'_>,
    expect: &Map<String, Value>,
) -> Result<(), String> {
    known_keys(expect, &["context", "tracestate", "baggage", "source"])?;
    if let Some(want) = expect.get("context") {
        check_context(x.context.as_ref(), want)?;
    }
    if let Some(want) = expect.get("tracestate") {
        let mut buf = vec![0u8; traceprop::w3c::tracestate::MAX_LEN];
        let n = x.tracestate.encode(&mut buf).map_err(|e| e.to_string())?;
        let got = if n == 0 {
            Value::Null
        } else {
            Value::String(String::from_utf8_lossy(&buf[..n]).into_owned())
        };
        if &got != want {
            return Err(format!("tracestate: got {got}, want {want}"));
        }
    }
    if let Some(want) = expect.get("baggage") {
        let got = baggage_json(&x.baggage);
        if &got != want {
            return Err(format!("baggage: got {got}, want {want}"));
        }
    }
    if let Some(want) = expect.get("source") {
        let got = x
            .source
            .map_or(Value::Null, |f| Value::String(f.name().into()));
        if &got != want {
            return Err(format!("source: got {got}, want {want}"));
        }
    }
    Ok(())
}

fn check_context(got: Option<&SpanContext<'_>>, want: &Value) -> Result<(), String> {
    let (got, want) = match (got, want) {
        (None, Value::Null) => return Ok(()),
        (Some(g), Value::Object(w)) => (g, w),
        (g, w) => return Err(format!("context: got {g:?}, want {w}")),
    };
    for (key, w) in want {
        let g = match key.as_str() {
            "trace_id" => Value::String(got.trace_id.to_hex().as_str().into()),
            "span_id" => Value::String(got.span_id.to_hex().as_str().into()),
            "sampled" => got.sampled.map_or(Value::Null, Value::Bool),
            "debug" => Value::Bool(got.debug),
            "random" => Value::Bool(got.random),
            "sampling_priority" => got.sampling_priority.map_or(Value::Null, Value::from),
            "origin" => got
                .origin
                .map_or(Value::Null, |o| Value::from(o.to_string())),
            other => return Err(format!("unknown context field {other:?}")),
        };
        if &g != w {
            return Err(format!("context.{key}: got {g}, want {w}"));
        }
    }
    Ok(())
}

fn baggage_json(b: &Baggage<'_>) -> Value {
    let mut buf = vec![0u8; traceprop::w3c::baggage::MAX_BYTES];
    let members = b
        .members()
        .iter()
        .map(|m| {
            let value = m
                .value
                .decode_into(&mut buf)
                .unwrap_or("<undecodable>")
                .to_owned();
            let mut item = vec![Value::from(m.key), Value::from(value)];
            if !m.properties.is_empty() {
                let mut pbuf = vec![0u8; traceprop::w3c::baggage::MAX_BYTES];
                let mut w = traceprop::Writer::new(&mut pbuf);
                let _ = m.write_properties(&mut w);
                item.push(Value::from(
                    String::from_utf8_lossy(w.written()).into_owned(),
                ));
            }
            Value::Array(item)
        })
        .collect();
    Value::Array(members)
}

fn propagation(input: &Map<String, Value>) -> Result<Propagation<'_>, String> {
    known_keys(
        input,
        &[
            "trace_id",
            "span_id",
            "sampled",
            "random",
            "debug",
            "tracestate",
            "baggage",
            "sampling_priority",
            "origin",
            "dd_tags",
            "xray_extra",
        ],
    )?;
    let str_field = |k: &str| input.get(k).and_then(Value::as_str);
    let trace_id = TraceId::from_hex(str_field("trace_id").ok_or("missing trace_id")?)
        .map_err(|e| format!("trace_id: {e}"))?;
    let span_id = SpanId::from_hex(str_field("span_id").ok_or("missing span_id")?)
        .map_err(|e| format!("span_id: {e}"))?;
    let mut ctx = SpanContext::new(trace_id, span_id);
    ctx.sampled = match input.get("sampled") {
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::Null) => None,
        other => return Err(format!("bad sampled {other:?}")),
    };
    ctx.random = input
        .get("random")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    ctx.debug = input.get("debug").and_then(Value::as_bool).unwrap_or(false);
    ctx.sampling_priority = match input.get("sampling_priority") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_i64()
                .and_then(|p| i32::try_from(p).ok())
                .ok_or("bad sampling_priority")?,
        ),
    };
    ctx.origin = str_field("origin").map(Text::new);
    ctx.dd_tags = str_field("dd_tags").map_or(DatadogTags::None, DatadogTags::Header);
    ctx.xray_extra = str_field("xray_extra").unwrap_or("");
    let mut p = Propagation::new(ctx);
    if let Some(ts) = str_field("tracestate") {
        p.tracestate = TraceState::parse(ts).map_err(|e| format!("tracestate: {e}"))?;
    }
    for item in input
        .get("baggage")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let parts: Vec<&str> = item
            .as_array()
            .ok_or("baggage member is not a list")?
            .iter()
            .map(|v| v.as_str().ok_or("baggage part is not a string"))
            .collect::<Result<_, _>>()?;
        let (key, value, properties) = match parts.as_slice() {
            [k, v] => (*k, *v, ""),
            [k, v, p] => (*k, *v, *p),
            _ => return Err("baggage member needs 2 or 3 parts".into()),
        };
        let value = BagValue::new(value, Encoding::Raw).map_err(|e| e.to_string())?;
        p.baggage
            .push(Member {
                key,
                value,
                properties,
            })
            .map_err(|e| format!("baggage: {e}"))?;
    }
    Ok(p)
}

fn compare_headers(got: &Headers, want: &Value) -> Result<(), String> {
    let mut want: Vec<(String, String)> = header_list(want)?;
    let mut got = got.clone();
    if let Some((k, _)) = got
        .iter()
        .find(|(k, _)| k.chars().any(|c| c.is_ascii_uppercase()))
    {
        return Err(format!("injected header name {k:?} is not lowercase"));
    }
    got.sort();
    want.sort();
    if got == want {
        Ok(())
    } else {
        Err(format!("headers: got {got:?}, want {want:?}"))
    }
}
