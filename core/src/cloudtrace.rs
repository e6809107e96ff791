//! Google Cloud `X-Cloud-Trace-Context`. Not implemented yet: extraction finds nothing, injection writes nothing.

use crate::{Error, Headers, Propagation, Sink, SpanContext};

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
