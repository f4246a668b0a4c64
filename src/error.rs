//! The one error type commands return, mapped to exit codes in `main`.

use crate::diagnostic::{Diagnostic, Source};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is invalid: the diagnostics say where and why.
    #[error("the spec is invalid")]
    Invalid {
        diagnostics: Vec<Diagnostic>,
        /// The texts the diagnostics point into, for snippets.
        sources: Vec<Source>,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The command line asks for something that does not exist.
    #[error("{0}")]
    Usage(String),
    /// A check the user asked for failed (stale output, diff matched, violation).
    #[error("{0}")]
    CheckFailed(String),
    /// A bug in Palisade.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Exit code per DESIGN §4.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::CheckFailed(_) => 1,
            Error::Invalid { .. } | Error::Io { .. } | Error::Usage(_) => 2,
            Error::Internal(_) => 3,
        }
    }

    /// Diagnostics found in one spec, located in it and sorted.
    pub fn invalid_in(source: &Source, mut diagnostics: Vec<Diagnostic>) -> Self {
        for d in &mut diagnostics {
            d.file = source.path.clone();
        }
        crate::diagnostic::sort(&mut diagnostics);
        Error::Invalid {
            diagnostics,
            sources: vec![source.clone()],
        }
    }

    pub fn io(path: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
