//! `palisade schema`: print the spec's JSON Schema.

use super::Io;
use crate::error::{Error, Result};

pub fn run(io: &mut Io) -> Result<()> {
    io.stdout
        .write_all(crate::schema::json_schema_text().as_bytes())
        .map_err(|e| Error::io("<stdout>", e))
}
