//! Seed inputs for every target, taken from the conformance vectors (every
//! header of every `extract` list and every expected `headers` list, the ids
//! of every context, every propagator list) in each target's input layout,
//! plus a few inputs past the format limits.

use crate::input::{strip_prefix_ignore_case, HeaderSet};
use base64::Engine;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::Path;
use traceprop::propagator::{Config, Policy};

/// Seeds per target name, deduplicated.
pub type Seeds = BTreeMap<&'static str, BTreeSet<Vec<u8>>>;

fn header_pairs(list: &Json) -> Vec<(String, String)> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p[0].as_str()?.to_owned(), p[1].as_str()?.to_owned())))
        .collect()
}

/// The values of `name` (any case), in order.
fn values<'a>(lines: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a str> {
    lines
        .iter()
        .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// One input line per header of `names`: its first value, empty when absent;
/// `None` when none is present.
fn group(lines: &[(String, String)], names: &[&str]) -> Option<String> {
    let firsts: Vec<&str> = names
        .iter()
        .map(|n| values(lines, n).next().unwrap_or_default())
        .collect();
    firsts
        .iter()
        .any(|v| !v.is_empty())
        .then(|| firsts.join("\n").trim_end_matches('\n').to_owned())
}

fn add(seeds: &mut Seeds, target: &'static str, input: impl Into<Vec<u8>>) {
    seeds.entry(target).or_default().insert(input.into());
}

/// The single-codec seeds of one request's header lines.
fn codec_seeds(seeds: &mut Seeds, lines: &[(String, String)]) {
    for v in values(lines, "traceparent") {
        add(seeds, "traceparent", v);
    }
    let ts: Vec<&str> = values(lines, "tracestate").collect();
    if !ts.is_empty() {
        add(seeds, "tracestate", ts.join("\n"));
        add(seeds, "datadog_member", ts.join("\n"));
    }
    let bag: Vec<&str> = values(lines, "baggage").collect();
    if !bag.is_empty() {
        add(seeds, "baggage", bag.join("\n"));
    }
    let b3 = [
        "b3",
        "x-b3-traceid",
        "x-b3-spanid",
        "x-b3-parentspanid",
        "x-b3-sampled",
        "x-b3-flags",
    ];
    if let Some(input) = group(lines, &b3) {
        add(seeds, "b3", input);
    }
    let mut jaeger = vec![values(lines, "uber-trace-id")
        .next()
        .unwrap_or_default()
        .to_owned()];
    for (k, v) in lines {
        if let Some(key) = strip_prefix_ignore_case(k, "uberctx-") {
            jaeger.push(format!("{key}:{v}"));
        } else if k.eq_ignore_ascii_case("jaeger-baggage") {
            jaeger.push(v.clone());
        }
    }
    if jaeger.len() > 1 || !jaeger[0].is_empty() {
        add(seeds, "jaeger", jaeger.join("\n"));
    }
    let dd = [
        "x-datadog-trace-id",
        "x-datadog-parent-id",
        "x-datadog-sampling-priority",
        "x-datadog-origin",
        "x-datadog-tags",
    ];
    if let Some(input) = group(lines, &dd) {
        add(seeds, "datadog", input);
    }
    for v in values(lines, "x-amzn-trace-id") {
        add(seeds, "xray", v);
        for root in v.split(';').filter_map(|f| f.trim().strip_prefix("Root=")) {
            add(seeds, "ids", root);
        }
    }
    for v in values(lines, "x-cloud-trace-context") {
        add(seeds, "cloudtrace", v);
    }
    let sw8: Vec<&str> = values(lines, "sw8")
        .take(1)
        .chain(values(lines, "sw8-correlation"))
        .collect();
    if !sw8.is_empty() {
        add(seeds, "sw8", sw8.join("\n"));
    }
    for v in values(lines, "grpc-trace-bin") {
        add(seeds, "grpc_trace_bin_text", v);
        let lenient = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
                .with_decode_allow_trailing_bits(true),
        );
        if let Ok(bytes) = lenient.decode(v.trim()) {
            add(seeds, "grpc_trace_bin", bytes);
        }
    }
    for name in [
        "x-b3-traceid",
        "x-b3-spanid",
        "ot-tracer-traceid",
        "ot-tracer-spanid",
        "x-datadog-trace-id",
        "x-datadog-parent-id",
    ] {
        for v in values(lines, name) {
            add(seeds, "ids", v);
        }
    }
}

/// Every target's seeds from the `*.json` vector files in `dir`.
///
/// # Errors
/// When `dir` or a file cannot be read or is not JSON.
pub fn from_vectors(dir: &Path) -> io::Result<Seeds> {
    let mut seeds = Seeds::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<_>>()?;
    files.retain(|p| p.extension().is_some_and(|x| x == "json"));
    files.sort();
    for path in files {
        let doc: Json = serde_json::from_str(&std::fs::read_to_string(&path)?).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {e}", path.display()),
            )
        })?;
        for case in doc["cases"].as_array().into_iter().flatten() {
            case_seeds(&mut seeds, case);
        }
    }
    limit_seeds(&mut seeds);
    Ok(seeds)
}

fn case_seeds(seeds: &mut Seeds, case: &Json) {
    let propagators = case["propagators"].as_str().unwrap_or_default();
    for list in [
        propagators,
        case["inject_propagators"].as_str().unwrap_or_default(),
    ] {
        if !list.is_empty() {
            add(seeds, "config", list);
        }
    }
    let policy = if case["policy"] == "first" {
        Policy::First
    } else {
        Policy::Last
    };
    let extract = header_pairs(&case["extract"]);
    if !extract.is_empty() {
        let config = Config::parse(propagators);
        for formats in [config.formats(), &[]] {
            let set = HeaderSet::encode(formats, policy, &extract);
            add(seeds, "composite_extract", set.clone());
            add(seeds, "composite_roundtrip", set);
        }
        codec_seeds(seeds, &extract);
    }
    let written = header_pairs(&case["expect"]["headers"]);
    codec_seeds(seeds, &written);
    for ctx in [&case["expect"]["context"], &case["inject"]] {
        for key in ["trace_id", "span_id"] {
            if let Some(id) = ctx[key].as_str() {
                add(seeds, "ids", id);
            }
        }
    }
}

/// Inputs at and past the limits (180 baggage members, 32 tracestate
/// members, 256 bytes of X-Ray fields, 512 bytes of Datadog tags).
fn limit_seeds(seeds: &mut Seeds) {
    let many = |n: usize, f: &dyn Fn(usize) -> String, sep: &str| {
        (0..n).map(f).collect::<Vec<_>>().join(sep)
    };
    add(
        seeds,
        "baggage",
        many(200, &|i| format!("k{i}=v{i};p"), ","),
    );
    add(
        seeds,
        "baggage",
        many(3, &|i| format!("k{i}={}", "%FF".repeat(1000)), ","),
    );
    add(seeds, "tracestate", many(33, &|i| format!("k{i}=v"), ","));
    add(
        seeds,
        "datadog_member",
        format!(
            "dd=s:2;o:rum;t.dm:-4,{}",
            many(31, &|i| format!("k{i}={}", "x".repeat(20)), ",")
        ),
    );
    let root = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    add(
        seeds,
        "xray",
        format!("{root};{}", many(40, &|i| format!("F{i}=value{i}"), ";")),
    );
    let tags = many(40, &|i| format!("_dd.p.k{i}=v{i}"), ",");
    add(seeds, "datadog", format!("1\n2\n1\nrum\n{tags}"));
    add(seeds, "config", "tracecontext,baggage,b3,b3multi,jaeger,ottrace,xray,datadog,cloudtrace,sw8,grpc-trace-bin,none,bogus");
    add(
        seeds,
        "config",
        "DD_TRACE_PROPAGATION_STYLE=datadog,b3\nOTEL_PROPAGATORS=b3multi\nuberctx-k",
    );
}
