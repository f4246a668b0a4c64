//! The handlebars templates built into the binary (`templates/`): what
//! `init` writes and the security report.

use handlebars::Handlebars;

/// `templates` (name, text) parsed into one registry. Strict: a missing value
/// fails the render. Output is code and Markdown, so nothing is
/// HTML-escaped (report table cells escape themselves).
pub fn registry(templates: &[(&str, &str)]) -> Handlebars<'static> {
    let mut handlebars = Handlebars::new();
    handlebars.set_strict_mode(true);
    handlebars.register_escape_fn(handlebars::no_escape);
    for (name, text) in templates {
        handlebars
            .register_template_string(name, *text)
            .unwrap_or_else(|e| panic!("template {name}: {e}"));
    }
    handlebars
}
