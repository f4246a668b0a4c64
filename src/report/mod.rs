//! Reports rendered from the plan with handlebars templates in `templates/`.

pub mod check;
pub mod security;

/// Text safe inside a Markdown table cell.
pub fn markdown_cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}
