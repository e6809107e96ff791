//! Propagator configuration: `OTEL_PROPAGATORS` and Datadog's
//! `DD_TRACE_PROPAGATION_STYLE*` lists, against a plain re-statement of
//! SEMANTICS §9 as the oracle.

use crate::input::{lines, text};
use traceprop::propagator::{Config, DatadogB3, EnvConfig, Format, Policy};
use traceprop::Header;

fn names(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|n| !n.is_empty())
}

fn dedup(formats: impl Iterator<Item = Format>) -> Vec<Format> {
    let mut out: Vec<Format> = Vec::new();
    for f in formats {
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

/// The whole input as a list, each line as an environment variable
/// (`NAME=value`), and each line as a header name: [`Config::parse`] and
/// [`Config::parse_datadog`] give the formats SEMANTICS §9 and Datadog's
/// rules name, in order, once each; unknown names are exactly the others;
/// the environment readers never panic; [`Config::reads`] says whether a
/// configured format reads the header.
pub fn config(data: &[u8]) {
    let Some(list) = text(data) else { return };
    let known: Vec<Format> = dedup(names(list).filter_map(Format::from_name));
    let none = names(list).any(|n| n.eq_ignore_ascii_case("none"));
    let c = Config::parse(list);
    let want = match (names(list).next(), none) {
        (None, _) => vec![Format::TraceContext, Format::Baggage],
        (Some(_), true) => vec![],
        (Some(_), false) => known.clone(),
    };
    assert_eq!(c.formats(), want.as_slice());
    assert_eq!(c.policy(), Policy::Last);
    let unknown: Vec<&str> = Config::unknown_names(list).collect();
    let want_unknown: Vec<&str> = names(list)
        .filter(|n| Format::from_name(n).is_none() && !n.eq_ignore_ascii_case("none"))
        .collect();
    assert_eq!(unknown, want_unknown);

    for b3 in [DatadogB3::Single, DatadogB3::Multi] {
        let d = Config::parse_datadog(list, b3);
        assert_eq!(d.policy(), Policy::First);
        let want = if names(list).next().is_none() {
            vec![Format::Datadog, Format::TraceContext, Format::Baggage]
        } else {
            dedup(names(list).filter_map(|n| match Format::from_name(n) {
                Some(Format::B3) if n.eq_ignore_ascii_case("b3") && b3 == DatadogB3::Multi => {
                    Some(Format::B3Multi)
                }
                f => f,
            }))
        };
        assert_eq!(d.formats(), want.as_slice());
    }

    let Some(lines) = lines(data) else { return };
    let vars: Vec<(&str, &str)> = lines.iter().filter_map(|l| l.split_once('=')).collect();
    let env = |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
    let e = EnvConfig::from_env(&env);
    assert!(e.extract.formats().len() <= Format::COUNT);
    let _ = EnvConfig::unknown_names(&env).count();
    let _ = EnvConfig::datadog(&env, DatadogB3::Multi);
    let every = Config::from_formats(&Format::ALL);
    for line in &lines {
        let header = Header::lookup(line);
        let prefixed = ["uberctx-", "ot-baggage-"].iter().any(|p| {
            line.len() > p.len()
                && line
                    .get(..p.len())
                    .is_some_and(|h| h.eq_ignore_ascii_case(p))
        });
        assert_eq!(every.reads(line), header.is_some() || prefixed, "{line}");
        for f in c.formats() {
            if header.is_some_and(|h| f.headers().contains(&h)) {
                assert!(c.reads(line));
            }
        }
    }
}
