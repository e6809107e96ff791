//! Datadog `x-datadog-*` headers and the `dd` tracestate member. Not implemented yet: extraction finds nothing, injection writes nothing.

use crate::w3c::tracestate;
use crate::{Error, Headers, Propagation, Sink, SpanContext, TraceState};

/// Extracts the context. Not implemented yet.
///
/// # Errors
/// Always [`Error::Missing`].
pub fn extract<'a>(headers: &Headers<'a>) -> Result<SpanContext<'a>, Error> {
    let _ = headers;
    Err(Error::Missing)
}

/// Writes the headers. Not implemented yet.
///
/// # Errors
/// Never.
pub fn inject(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    let _ = (p, sink);
    Ok(())
}

/// Copies the Datadog fields of the `dd` tracestate member into `ctx`. Not
/// implemented yet.
pub fn apply_tracestate<'a>(ts: &TraceState<'a>, ctx: &mut SpanContext<'a>) {
    let _ = (ts, ctx);
}

/// Writes the `tracestate` header of `p`, with the `dd` member in front when
/// the context carries Datadog fields. For now: the tracestate as is.
///
/// # Errors
/// As [`tracestate::inject`].
pub fn inject_tracestate(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    tracestate::inject(p, sink)
}
