//! Runs the `traceprop` binary as a user would.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

const TP: &str = "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_traceprop"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // The binary may exit before reading stdin (bad arguments): a broken
    // pipe here is its answer, not a test failure.
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    child.wait_with_output().expect("the binary exits")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).expect("JSON output")
}

#[test]
fn decode_reports_every_format() {
    let input = format!("GET / HTTP/1.1\n{TP}\ntracestate: a=1\nbaggage: k=v%20w;p=1\n");
    let o = run(&["decode", "--json"], &input);
    assert!(o.status.success());
    let v = json(&o);
    assert_eq!(v["source"], "tracecontext");
    assert_eq!(v["context"]["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(v["tracestate"], "a=1");
    assert_eq!(v["baggage"][0]["value"], "v w");
    assert_eq!(v["baggage"][0]["properties"], "p=1");
    let formats = v["formats"].as_array().unwrap();
    assert_eq!(formats.len(), traceprop::propagator::Format::COUNT);
    assert_eq!(formats[0]["status"], "matched");
    let rendered = v["rendered"].as_array().unwrap();
    assert!(rendered.iter().any(|h| h[0] == "traceparent"));
}

#[test]
fn decode_explains_a_rejection() {
    let bad = "traceparent: 00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01";
    let o = run(&["decode", "--json", bad], "");
    let v = json(&o);
    assert_eq!(v["context"], Value::Null);
    assert_eq!(v["formats"][0]["status"], "rejected");
    assert_eq!(v["formats"][0]["error"], "invalid_hex");
    let human = stdout(&run(&["decode", "--color", "never", bad], ""));
    assert!(human.contains("✗ rejected: invalid hex digit"), "{human}");
}

#[test]
fn convert_writes_the_chosen_formats() {
    let o = run(&["convert", "--to", "tracecontext"], &format!("{TP}\n"));
    assert!(o.status.success());
    assert_eq!(
        stdout(&o),
        "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n"
    );
}

#[test]
fn convert_fails_without_context_or_with_unknown_names() {
    let o = run(&["convert", "--to", "tracecontext"], "host: x\n");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no valid trace context"));
    let o = run(
        &["convert", "--to", "tracecontext,zipkin"],
        &format!("{TP}\n"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("zipkin"));
}

#[test]
fn id_shows_every_encoding() {
    let v = json(&run(
        &["id", "--json", "4bf92f3577b34da6a3ce929d0e0e4736"],
        "",
    ));
    assert_eq!(v["datadog_trace_id"], "11803532876627986230");
    assert_eq!(v["datadog_tid"], "4bf92f3577b34da6");
    assert_eq!(v["xray_root"], "1-4bf92f35-77b34da6a3ce929d0e0e4736");
    assert_eq!(v["trace_id_64_lossless"], false);
    let v = json(&run(&["id", "--json", "67667974448284343"], ""));
    assert_eq!(v["span_id"], "00f067aa0ba902b7");
    let v = json(&run(
        &[
            "id",
            "--json",
            "11803532876627986230",
            "--tid",
            "4bf92f3577b34da6",
        ],
        "",
    ));
    assert_eq!(v["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
    let v = json(&run(
        &["id", "--json", "1-5759e988-bd862e3fe1be46a994272793"],
        "",
    ));
    assert_eq!(v["trace_id"], "5759e988bd862e3fe1be46a994272793");
}

#[test]
fn id_rejects_garbage_on_stderr() {
    let o = run(&["id", "xyz"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(String::from_utf8_lossy(&o.stderr).contains("xyz"));
}
