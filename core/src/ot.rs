//! OpenTracing `ot-tracer-*` and `ot-baggage-*` headers. Not implemented yet: extraction finds nothing, injection writes nothing.

use crate::{Baggage, Error, Headers, Propagation, Sink, SpanContext};

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

/// Adds the baggage of the request to `into`. Not implemented yet.
pub fn extract_baggage<'a>(headers: &Headers<'a>, into: &mut Baggage<'a>) {
    let _ = (headers, into);
}

/// Writes the baggage headers. Not implemented yet.
///
/// # Errors
/// Never.
pub fn inject_baggage(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    let _ = (p, sink);
    Ok(())
}
