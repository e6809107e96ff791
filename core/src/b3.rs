//! B3 single (`b3`) and multi (`X-B3-*`) headers. Not implemented yet: extraction finds nothing, injection writes nothing.

use crate::{Error, Headers, Propagation, Sink, SpanContext};

/// Extracts the context. Not implemented yet.
///
/// # Errors
/// Always [`Error::Missing`].
pub fn extract<'a>(headers: &Headers<'a>) -> Result<SpanContext<'a>, Error> {
    let _ = headers;
    Err(Error::Missing)
}

/// Writes the single `b3` header. Not implemented yet.
///
/// # Errors
/// Never.
pub fn inject_single(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    let _ = (p, sink);
    Ok(())
}

/// Writes the `X-B3-*` headers. Not implemented yet.
///
/// # Errors
/// Never.
pub fn inject_multi(p: &Propagation<'_>, sink: &mut dyn Sink) -> Result<(), Error> {
    let _ = (p, sink);
    Ok(())
}
