//! codexgen integration tests, against the built binary, in temp dirs.
