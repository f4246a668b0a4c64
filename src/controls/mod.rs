//! The control catalog: every protection Palisade applies, with its ID and
//! documentation. (Populated by the controls issue; waivers are checked
//! against it.)

/// Whether a waiver may name this control.
pub fn is_waivable(id: &str) -> bool {
    CONTROL_IDS.contains(&id)
}

const CONTROL_IDS: &[&str] = &[];
